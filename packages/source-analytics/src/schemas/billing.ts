/** What was billed: invoices, the fees on them, and usage per period (current and past). */
import type { AvroField, AvroRecordSchema } from '@siphon/avro';
import { arrayOf, record, required } from '@siphon/avro';
import {
  cents,
  count,
  createdUpdated,
  date,
  decimal,
  ids,
  optionalText,
  optionalTimestamp,
  text,
  timestamp,
} from './shared.js';

const invoiceCustomer = record('InvoiceCustomer', 'The customer billed, as embedded in the invoice.', [
  text('lago_id', 'Customer id (UUID).'),
  text('external_id', 'External id of the customer.'),
  text('name', 'Name.'),
  optionalText('email', 'Email.'),
  optionalText('currency', 'ISO 4217 currency.'),
  optionalText('country', 'ISO 3166 alpha-2 country code.'),
]);

const invoiceMetadata = record('InvoiceMetadata', 'A key/value pair attached to an invoice.', [
  text('lago_id', 'Metadata id (UUID).'),
  text('key', 'Key.'),
  text('value', 'Value.'),
  timestamp('created_at', 'When it was added.'),
]);

export const invoice: AvroRecordSchema = record('Invoice', 'An invoice (GET /v1/invoices).', [
  ...ids('invoice'),
  count('sequential_id', 'Sequence number of the invoice for its customer.'),
  text('number', 'Invoice number.'),
  date('issuing_date', 'Date of issue.'),
  date('payment_due_date', 'Date payment is due.'),
  count('net_payment_term', 'Days allowed for payment.'),
  text('invoice_type', 'subscription, add_on, credit, one_off, ...'),
  text('status', 'draft, finalized or voided.'),
  text('payment_status', 'pending, succeeded or failed.'),
  required('payment_overdue', 'boolean', 'True when payment is late.'),
  text('currency', 'ISO 4217 currency of the amounts.'),
  cents('fees_amount_cents', 'Total of the fees.'),
  cents('coupons_amount_cents', 'Discount from coupons.'),
  cents('credit_notes_amount_cents', 'Amount credited by credit notes.'),
  cents('sub_total_excluding_taxes_amount_cents', 'Amount before taxes.'),
  cents('taxes_amount_cents', 'Taxes.'),
  cents('sub_total_including_taxes_amount_cents', 'Amount including taxes.'),
  cents('prepaid_credit_amount_cents', 'Paid from wallet credits.'),
  cents('total_amount_cents', 'Amount due.'),
  count('version_number', 'Version of the invoice format.'),
  optionalText('file_url', 'PDF URL, once finalized.'),
  required('customer', invoiceCustomer, 'The customer billed.'),
  required('metadata', arrayOf(invoiceMetadata), 'Key/value pairs (possibly none).'),
  ...createdUpdated(),
]);

const feeItem = record('FeeItem', 'What a fee is for.', [
  text('type', 'charge, subscription, add_on, credit, ...'),
  optionalText('invoice_display_name', 'Name shown on invoices.'),
  text('code', 'Code of the item (metric, plan, add-on).'),
  text('name', 'Name of the item.'),
  text('lago_item_id', 'Id of the item (UUID).'),
  text('item_type', 'BillableMetric, Subscription, AddOn, WalletTransaction, ...'),
]);

export const fee: AvroRecordSchema = record('Fee', 'A fee (GET /v1/fees).', [
  ...ids('fee'),
  optionalText('lago_charge_id', 'Charge the fee comes from, for charge fees.'),
  optionalText('lago_invoice_id', 'Invoice the fee is on.'),
  optionalText('lago_subscription_id', 'Subscription billed.'),
  text('lago_customer_id', 'Customer billed (UUID).'),
  text('external_customer_id', 'External id of that customer.'),
  optionalText('external_subscription_id', 'External id of the subscription.'),
  optionalText('invoice_display_name', 'Name shown on invoices.'),
  cents('amount_cents', 'Amount before taxes.'),
  decimal('precise_amount', 'Amount before taxes in major units, unrounded.'),
  decimal('precise_total_amount', 'Amount including taxes in major units, unrounded.'),
  text('amount_currency', 'ISO 4217 currency of the amounts.'),
  cents('taxes_amount_cents', 'Taxes.'),
  decimal('taxes_precise_amount', 'Taxes in major units, unrounded.'),
  required('taxes_rate', 'double', 'Tax rate in percent.'),
  decimal('units', 'Units billed.'),
  decimal('precise_unit_amount', 'Price per unit in major units.'),
  decimal('total_aggregated_units', 'Units aggregated over the period.'),
  cents('total_amount_cents', 'Amount including taxes.'),
  text('total_amount_currency', 'ISO 4217 currency of total_amount_cents.'),
  count('events_count', 'Events aggregated.'),
  required('pay_in_advance', 'boolean', 'True when billed in advance.'),
  required('invoiceable', 'boolean', 'True when the fee goes on an invoice.'),
  optionalTimestamp('from_date', 'Start of the period billed.'),
  optionalTimestamp('to_date', 'End of the period billed.'),
  text('payment_status', 'pending, succeeded, failed or refunded.'),
  timestamp('created_at', 'When the fee was created.'),
  optionalTimestamp('succeeded_at', 'When payment succeeded.'),
  optionalTimestamp('failed_at', 'When payment failed.'),
  optionalTimestamp('refunded_at', 'When it was refunded.'),
  required('item', feeItem, 'What the fee is for.'),
  timestamp('updated_at', 'When the record last changed.'),
]);

const usageCharge = record('UsageCharge', 'The charge the usage is priced by.', [
  text('lago_id', 'Charge id (UUID).'),
  text('charge_model', 'standard, graduated, package, percentage, volume, ...'),
  optionalText('invoice_display_name', 'Name shown on invoices.'),
]);

const usageMetric = record('UsageMetric', 'The metric the usage is counted on.', [
  text('lago_id', 'Metric id (UUID).'),
  text('name', 'Metric name.'),
  text('code', 'Metric code.'),
  text('aggregation_type', 'Aggregation of the metric.'),
]);

const chargeUsage = record('ChargeUsage', 'Usage of one charge in the period.', [
  decimal('units', 'Units used.'),
  count('events_count', 'Events received.'),
  cents('amount_cents', 'Amount for those units.'),
  text('amount_currency', 'ISO 4217 currency of the amount.'),
  required('charge', usageCharge, 'The charge.'),
  required('billable_metric', usageMetric, 'The metric.'),
]);

/**
 * Usage periods. The real API serves them per customer and subscription (both in the request
 * path) and its records carry neither those ids nor `lago_id` nor timestamps; the sandbox, which
 * lists them flat as the seed does, adds them. They are nullable here so real records still fit.
 */
function usage(name: string, doc: string, past: boolean): AvroRecordSchema {
  const invoiceId: AvroField[] = past
    ? [text('lago_invoice_id', 'Invoice that billed the period (UUID).')]
    : [];
  const absentInRealApi = '(Not sent by the real API, whose request path names it.)';
  return record(name, doc, [
    ...ids('usage period'),
    optionalText('lago_customer_id', `Customer (UUID). ${absentInRealApi}`),
    optionalText('external_customer_id', `External id of the customer. ${absentInRealApi}`),
    optionalText('lago_subscription_id', `Subscription (UUID). ${absentInRealApi}`),
    optionalText('external_subscription_id', `External id of the subscription. ${absentInRealApi}`),
    timestamp('from_datetime', 'Start of the period.'),
    timestamp('to_datetime', 'End of the period.'),
    date('issuing_date', 'Date the period is (or was) invoiced.'),
    ...invoiceId,
    text('currency', 'ISO 4217 currency of the amounts.'),
    cents('amount_cents', 'Amount before taxes.'),
    cents('taxes_amount_cents', 'Taxes.'),
    cents('total_amount_cents', 'Amount including taxes.'),
    required('charges_usage', arrayOf(chargeUsage), 'Usage per charge.'),
    optionalTimestamp('created_at', 'When the record was created. (Sandbox only.)'),
    optionalTimestamp('updated_at', 'When the record last changed. (Sandbox only.)'),
  ]);
}

export const customerUsage = usage(
  'CustomerUsage',
  'Usage of a subscription in its current period (GET /v1/customer_usage).',
  false,
);

export const customerUsagePast = usage(
  'CustomerUsagePeriod',
  'Usage of a subscription in a past, invoiced period (GET /v1/customer_usage_past, key usage_periods).',
  true,
);
