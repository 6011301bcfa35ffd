/** What is priced: billable metrics, plans with their charges, coupons and add-ons. */
import type { AvroRecordSchema } from '@siphon/avro';
import { arrayOf, optional, record, required } from '@siphon/avro';
import {
  cents,
  count,
  createdUpdated,
  ids,
  optionalCents,
  optionalDecimal,
  optionalText,
  optionalTimestamp,
  taxes,
  text,
  timestamp,
} from './shared.js';

const metricFilter = record('MetricFilter', 'A filter key of a metric and its allowed values.', [
  text('key', 'Event property the filter reads.'),
  required('values', arrayOf('string'), 'Values it can take.'),
]);

export const metric: AvroRecordSchema = record('Metric', 'A billable metric (GET /v1/metrics).', [
  ...ids('metric'),
  text('name', 'Metric name.'),
  text('code', 'Unique code events refer to.'),
  optionalText('description', 'Description.'),
  text(
    'aggregation_type',
    'count_agg, sum_agg, max_agg, unique_count_agg, latest_agg, weighted_sum_agg, ...',
  ),
  optionalText('weighted_interval', 'Interval of weighted_sum_agg (seconds).'),
  required('recurring', 'boolean', 'True when the aggregated value carries over between periods.'),
  optionalText('rounding_function', 'round, ceil or floor.'),
  optional('rounding_precision', 'long', 'Digits kept by the rounding function.'),
  optionalText('field_name', 'Event property aggregated; null for count_agg.'),
  optionalText('expression', 'Expression computing the aggregated value.'),
  required('filters', arrayOf(metricFilter), 'Filters (possibly none).'),
  count('active_subscriptions_count', 'Active subscriptions using the metric.'),
  count('draft_invoices_count', 'Draft invoices using the metric.'),
  count('plans_count', 'Plans charging the metric.'),
  ...createdUpdated(),
]);

const graduatedRange = record('GraduatedRange', 'A range of units and its price.', [
  count('from_value', 'First unit of the range.'),
  optional('to_value', 'long', 'Last unit of the range; null when open-ended.'),
  text('per_unit_amount', 'Price per unit in major units. Decimal number as a string.'),
  text('flat_amount', 'Flat fee for the range in major units. Decimal number as a string.'),
]);

const chargeProperties = record(
  'ChargeProperties',
  'Pricing of a charge; which fields are set depends on charge_model.',
  [
    optionalDecimal('amount', 'Unit or package price in major units.'),
    optional('free_units', 'long', 'Units free of charge (package model).'),
    optional('package_size', 'long', 'Units per package (package model).'),
    optionalDecimal('rate', 'Percentage rate (percentage model).'),
    optionalDecimal('fixed_amount', 'Fixed fee per transaction in major units (percentage model).'),
    optional('graduated_ranges', arrayOf(graduatedRange), 'Price ranges (graduated and volume models).'),
  ],
);

const charge = record('Charge', 'A usage-based charge of a plan.', [
  text('lago_id', 'Charge id (UUID).'),
  text('lago_billable_metric_id', 'Metric charged.'),
  text('billable_metric_code', 'Code of that metric.'),
  optionalText('invoice_display_name', 'Name shown on invoices.'),
  timestamp('created_at', 'When the charge was created.'),
  text('charge_model', 'standard, graduated, package, percentage, volume, ...'),
  required('invoiceable', 'boolean', 'False when pay-in-advance fees are not invoiced.'),
  required('pay_in_advance', 'boolean', 'True when charged when the event arrives.'),
  required('prorated', 'boolean', 'True when prorated over the period.'),
  cents('min_amount_cents', 'Minimum spend per period.'),
  required('properties', chargeProperties, 'Pricing properties.'),
]);

export const plan: AvroRecordSchema = record('Plan', 'A pricing plan (GET /v1/plans).', [
  ...ids('plan'),
  text('name', 'Plan name.'),
  optionalText('invoice_display_name', 'Name shown on invoices.'),
  text('code', 'Unique code subscriptions refer to.'),
  text('interval', 'weekly, monthly, quarterly or yearly.'),
  optionalText('description', 'Description.'),
  cents('amount_cents', 'Base price per interval.'),
  text('amount_currency', 'ISO 4217 currency of the price.'),
  count('trial_period', 'Trial length in days.'),
  required('pay_in_advance', 'boolean', 'True when the base price is billed at the start of the period.'),
  optional('bill_charges_monthly', 'boolean', 'For yearly plans: true when usage is billed monthly.'),
  count('active_subscriptions_count', 'Active subscriptions on the plan.'),
  count('draft_invoices_count', 'Draft invoices of the plan.'),
  required('charges', arrayOf(charge), 'Usage-based charges.'),
  taxes(),
  ...createdUpdated(),
]);

export const coupon: AvroRecordSchema = record('Coupon', 'A coupon (GET /v1/coupons).', [
  ...ids('coupon'),
  text('name', 'Coupon name.'),
  text('code', 'Unique code.'),
  optionalText('description', 'Description.'),
  text('coupon_type', 'fixed_amount or percentage.'),
  optionalCents('amount_cents', 'Amount off, for fixed_amount coupons.'),
  optionalText('amount_currency', 'ISO 4217 currency of amount_cents.'),
  optionalDecimal('percentage_rate', 'Percent off, for percentage coupons.'),
  text('frequency', 'once, recurring or forever.'),
  optional('frequency_duration', 'long', 'Number of periods, for recurring coupons.'),
  required('reusable', 'boolean', 'True when a customer can use it more than once.'),
  required('limited_plans', 'boolean', 'True when limited to plan_codes.'),
  required('plan_codes', arrayOf('string'), 'Plans it applies to, when limited.'),
  required('limited_billable_metrics', 'boolean', 'True when limited to billable_metric_codes.'),
  required('billable_metric_codes', arrayOf('string'), 'Metrics it applies to, when limited.'),
  text('expiration', 'no_expiration or time_limit.'),
  optionalTimestamp('expiration_at', 'When it expires, for time_limit coupons.'),
  optionalTimestamp('terminated_at', 'When it was terminated.'),
  ...createdUpdated(),
]);

export const addOn: AvroRecordSchema = record('AddOn', 'A one-off add-on (GET /v1/add_ons).', [
  ...ids('add-on'),
  text('name', 'Add-on name.'),
  optionalText('invoice_display_name', 'Name shown on invoices.'),
  text('code', 'Unique code.'),
  cents('amount_cents', 'Price.'),
  text('amount_currency', 'ISO 4217 currency of the price.'),
  optionalText('description', 'Description.'),
  taxes(),
  ...createdUpdated(),
]);
