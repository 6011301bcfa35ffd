/**
 * Record builders for the analytics API (modelled on Lago v1): `lago_id` UUIDs, integer
 * `*_amount_cents` with ISO currencies, decimals as strings, ISO UTC timestamps. Every record
 * of a resource has the same keys; absent values are null.
 */
import { analyticsCustomer, metricIdentity, planIdentity, uuids } from './analytics-identities.js';
import {
  type Builder,
  chargeProperties,
  decimal,
  revisionRng,
  subscriptionOf,
  taxes,
} from './analytics-parts.js';
import { fees, usageRecord } from './analytics-usage.js';
import { codeId } from './ids.js';
import { DAY, isoDate, isoUtc } from './time.js';

const metrics: Builder = ({ id, rng, seed, index, created, updated }) => {
  const metric = metricIdentity(seed, index);
  const weighted = metric.aggregationType === 'weighted_sum_agg';
  const filtered = rng.chance(0.3);
  return {
    id,
    lago_id: id,
    name: metric.name,
    code: metric.code,
    description: rng.chance(0.6) ? `Counts ${metric.name.toLowerCase()} per customer` : null,
    aggregation_type: metric.aggregationType,
    weighted_interval: weighted ? 'seconds' : null,
    recurring: weighted || rng.chance(0.2),
    rounding_function: rng.chance(0.2) ? rng.pick(['round', 'ceil', 'floor']) : null,
    rounding_precision: rng.chance(0.2) ? rng.int(0, 4) : null,
    field_name: metric.fieldName,
    expression: rng.chance(0.1) ? `round(event.properties.${metric.fieldName ?? 'value'} * 1.0, 2)` : null,
    filters: filtered ? [{ key: 'region', values: ['us-east-1', 'eu-west-1'] }] : [],
    active_subscriptions_count: rng.int(0, 500),
    draft_invoices_count: rng.int(0, 20),
    plans_count: rng.int(0, 10),
    created_at: isoUtc(created),
    updated_at: isoUtc(updated),
  };
};

const plans: Builder = ({ id, rng, seed, index, created, updated, world }) => {
  const plan = planIdentity(seed, index, world.sizeOf('metrics'));
  const charges = plan.charges.map((charge) => {
    const metric = metricIdentity(seed, charge.metricIndex);
    return {
      lago_id: charge.lagoId,
      lago_billable_metric_id: world.idOf('metrics', charge.metricIndex),
      billable_metric_code: metric.code,
      invoice_display_name: charge.displayName,
      created_at: isoUtc(created),
      charge_model: charge.model,
      invoiceable: !charge.payInAdvance || rng.chance(0.5),
      pay_in_advance: charge.payInAdvance,
      prorated: rng.chance(0.2),
      min_amount_cents: rng.chance(0.8) ? 0 : rng.pick([100, 500, 1000]),
      properties: chargeProperties(charge, rng),
    };
  });
  return {
    id,
    lago_id: id,
    name: plan.name,
    invoice_display_name: rng.chance(0.3) ? `${plan.name} plan` : null,
    code: plan.code,
    interval: plan.interval,
    description: rng.chance(0.5) ? `${plan.name}, billed ${plan.interval}` : null,
    amount_cents: plan.amountCents,
    amount_currency: plan.currency,
    trial_period: rng.pick([0, 0, 7, 14, 30]),
    pay_in_advance: rng.chance(0.6),
    bill_charges_monthly: plan.interval === 'yearly' ? rng.chance(0.5) : null,
    active_subscriptions_count: rng.int(0, 1000),
    draft_invoices_count: rng.int(0, 50),
    charges,
    taxes: taxes(rng, seed),
    created_at: isoUtc(created),
    updated_at: isoUtc(updated),
  };
};

const coupons: Builder = ({ id, rng, seed, index, created, updated, world }) => {
  const fixed = rng.chance(0.5);
  const frequency = rng.pick(['once', 'recurring', 'forever'] as const);
  const limitedPlans = rng.chance(0.3);
  const limitedMetrics = !limitedPlans && rng.chance(0.2);
  const expires = rng.chance(0.4);
  const planIndex = world.pickIndex('plans', rng);
  const metricIndex = world.pickIndex('metrics', rng);
  const terminated = rng.chance(0.1);
  return {
    id,
    lago_id: id,
    name: fixed ? `${rng.pick([5, 10, 20, 50])} off` : `${rng.pick([10, 15, 25])}% off`,
    code: codeId('coupon_', index),
    description: rng.chance(0.4) ? 'Promotional discount' : null,
    coupon_type: fixed ? 'fixed_amount' : 'percentage',
    amount_cents: fixed ? rng.pick([500, 1000, 2000, 5000]) : null,
    amount_currency: fixed ? rng.pick(['USD', 'EUR']) : null,
    percentage_rate: fixed ? null : decimal(rng.pick([10, 15, 25]), 1),
    frequency,
    frequency_duration: frequency === 'recurring' ? rng.pick([3, 6, 12]) : null,
    reusable: rng.chance(0.7),
    limited_plans: limitedPlans,
    plan_codes: limitedPlans ? [planIdentity(seed, planIndex, world.sizeOf('metrics')).code] : [],
    limited_billable_metrics: limitedMetrics,
    billable_metric_codes: limitedMetrics ? [metricIdentity(seed, metricIndex).code] : [],
    expiration: expires ? 'time_limit' : 'no_expiration',
    expiration_at: expires ? isoUtc(created + rng.int(30, 365) * DAY) : null,
    terminated_at: terminated ? isoUtc(updated) : null,
    created_at: isoUtc(created),
    updated_at: isoUtc(updated),
  };
};

const addOns: Builder = ({ id, rng, seed, index, created, updated }) => {
  const name = `${rng.pick(['Onboarding', 'Premium support', 'Setup', 'Training', 'Data migration'])}`;
  return {
    id,
    lago_id: id,
    name,
    invoice_display_name: rng.chance(0.3) ? `${name} (one-off)` : null,
    code: codeId('addon_', index),
    amount_cents: rng.pick([5000, 10000, 25000, 50000, 100000]),
    amount_currency: rng.pick(['USD', 'USD', 'EUR']),
    description: rng.chance(0.5) ? `${name} services` : null,
    taxes: taxes(rng, seed),
    created_at: isoUtc(created),
    updated_at: isoUtc(updated),
  };
};

const invoices: Builder = (context) => {
  const { id, rng, seed, index, created, updated, world, version } = context;
  const customerIndex = world.pickIndex('customers', rng);
  const customer = analyticsCustomer(seed, customerIndex);
  const fees = rng.int(0, 50_000);
  const coupons = rng.chance(0.2) ? Math.min(fees, rng.pick([500, 1000, 2000])) : 0;
  const excluding = fees - coupons;
  const taxRate = rng.pick([0, 0, 10, 20]);
  const taxesCents = Math.round((excluding * taxRate) / 100);
  const including = excluding + taxesCents;
  const prepaid = rng.chance(0.1) ? Math.min(including, rng.int(0, 5000)) : 0;
  const status = rng.pick(['finalized', 'finalized', 'finalized', 'draft', 'voided']);
  let paymentStatus =
    status === 'finalized' ? rng.pick(['succeeded', 'succeeded', 'pending', 'failed']) : 'pending';
  if (version > 0) paymentStatus = revisionRng(context).pick(['succeeded', 'failed']);
  const netTerm = rng.pick([0, 15, 30]);
  return {
    id,
    lago_id: id,
    sequential_id: index + 1,
    number: `${customer.externalId.slice(-4).toUpperCase()}-${String(index + 1).padStart(3, '0')}-${String((index % 997) + 1).padStart(3, '0')}`,
    issuing_date: isoDate(created),
    payment_due_date: isoDate(created + netTerm * DAY),
    net_payment_term: netTerm,
    invoice_type: rng.pick(['subscription', 'subscription', 'subscription', 'add_on', 'credit', 'one_off']),
    status,
    payment_status: paymentStatus,
    payment_overdue: paymentStatus === 'failed' || (paymentStatus === 'pending' && rng.chance(0.2)),
    currency: customer.currency,
    fees_amount_cents: fees,
    coupons_amount_cents: coupons,
    credit_notes_amount_cents: 0,
    sub_total_excluding_taxes_amount_cents: excluding,
    taxes_amount_cents: taxesCents,
    sub_total_including_taxes_amount_cents: including,
    prepaid_credit_amount_cents: prepaid,
    total_amount_cents: including - prepaid,
    version_number: 4,
    file_url: status === 'finalized' ? `https://files.example.com/invoices/${id}.pdf` : null,
    customer: {
      lago_id: world.idOf('customers', customerIndex),
      external_id: customer.externalId,
      name: customer.name,
      email: customer.email,
      currency: customer.currency,
      country: customer.place.countryCode,
    },
    metadata: rng.chance(0.2)
      ? [
          {
            lago_id: uuids(seed, 'invoice_metadata').uuid(index),
            key: 'po_number',
            value: `PO-${rng.int(1000, 9999)}`,
            created_at: isoUtc(created),
          },
        ]
      : [],
    created_at: isoUtc(created),
    updated_at: isoUtc(updated),
  };
};

const customers: Builder = ({ id, rng, seed, index, created, updated }) => {
  const customer = analyticsCustomer(seed, index);
  const provider = rng.chance(0.5) ? rng.pick(['stripe', 'adyen', 'gocardless']) : null;
  const timezone = rng.chance(0.5) ? customer.place.timezone : null;
  return {
    id,
    lago_id: id,
    external_id: customer.externalId,
    sequential_id: index + 1,
    slug: `LAG-${String(index + 1).padStart(6, '0')}`,
    name: customer.name,
    firstname: customer.firstname,
    lastname: customer.lastname,
    customer_type: rng.chance(0.8) ? (customer.isCompany ? 'company' : 'individual') : null,
    email: customer.email,
    address_line1: customer.street,
    address_line2: rng.chance(0.2) ? `Floor ${rng.int(2, 30)}` : null,
    city: customer.place.city,
    state: rng.chance(0.8) ? customer.place.state : null,
    zipcode: customer.place.zip,
    country: customer.place.countryCode,
    currency: customer.currency,
    timezone,
    applicable_timezone: timezone ?? 'UTC',
    net_payment_term: rng.chance(0.4) ? rng.pick([15, 30, 45]) : null,
    phone: rng.chance(0.5) ? `+1 555 ${String(rng.int(0, 9999999)).padStart(7, '0')}` : null,
    url: customer.isCompany && rng.chance(0.5) ? `https://${customer.email.split('@')[1]}` : null,
    legal_name: customer.isCompany && rng.chance(0.5) ? `${customer.name}.` : null,
    legal_number: customer.isCompany && rng.chance(0.3) ? String(rng.int(10_000_000, 99_999_999)) : null,
    tax_identification_number: rng.chance(0.3)
      ? `${customer.place.countryCode}${rng.int(100_000_000, 999_999_999)}`
      : null,
    logo_url: null,
    billing_configuration: {
      invoice_grace_period: rng.pick([0, 0, 3, 7]),
      payment_provider: provider,
      payment_provider_code: provider ? `${provider}_prod` : null,
      provider_customer_id: provider ? `${provider === 'stripe' ? 'cus_' : ''}${rng.hex(14)}` : null,
      document_locale: rng.pick(['en', 'en', 'fr', 'de', 'es']),
    },
    metadata: rng.chance(0.3)
      ? [
          {
            lago_id: uuids(seed, 'customer_metadata').uuid(index),
            key: 'segment',
            value: rng.pick(['smb', 'mid-market', 'enterprise']),
            display_in_invoice: rng.chance(0.5),
            created_at: isoUtc(created),
          },
        ]
      : [],
    created_at: isoUtc(created),
    updated_at: isoUtc(updated),
  };
};

const subscriptions: Builder = (context) => {
  const { id, rng, seed, index, created, updated, world, version } = context;
  const sub = subscriptionOf(world, index);
  const customer = analyticsCustomer(seed, sub.customerIndex);
  const plan = planIdentity(seed, sub.planIndex, world.sizeOf('metrics'));
  let status = rng.pick(['active', 'active', 'active', 'pending', 'terminated', 'canceled']);
  if (version > 0) status = revisionRng(context).pick(['active', 'terminated']);
  const started = status !== 'pending';
  const ended = status === 'terminated' || status === 'canceled';
  return {
    id,
    lago_id: id,
    external_id: sub.externalId,
    lago_customer_id: world.idOf('customers', sub.customerIndex),
    external_customer_id: customer.externalId,
    name: rng.chance(0.3) ? `${plan.name} for ${customer.name}` : null,
    plan_code: plan.code,
    status,
    billing_time: rng.chance(0.7) ? 'calendar' : 'anniversary',
    subscription_at: isoUtc(created),
    started_at: started ? isoUtc(created + rng.int(0, 3600)) : null,
    ending_at: rng.chance(0.2) ? isoUtc(created + 365 * DAY) : null,
    trial_ended_at: started && rng.chance(0.3) ? isoUtc(created + 14 * DAY) : null,
    terminated_at: status === 'terminated' ? isoUtc(updated) : null,
    canceled_at: status === 'canceled' ? isoUtc(updated) : null,
    previous_plan_code: rng.chance(0.1)
      ? planIdentity(seed, world.pickIndex('plans', rng), world.sizeOf('metrics')).code
      : null,
    next_plan_code:
      !ended && rng.chance(0.05)
        ? planIdentity(seed, world.pickIndex('plans', rng), world.sizeOf('metrics')).code
        : null,
    downgrade_plan_date: null,
    created_at: isoUtc(created),
    updated_at: isoUtc(updated),
  };
};

const wallets: Builder = (context) => {
  const { id, rng, seed, created, updated, world, version } = context;
  const customerIndex = world.pickIndex('customers', rng);
  const customer = analyticsCustomer(seed, customerIndex);
  const terminated = rng.chance(0.1);
  let balanceCents = rng.int(0, 100_000);
  if (version > 0) balanceCents = revisionRng(context).int(0, 100_000);
  const usageCents = Math.min(balanceCents, rng.int(0, 5000));
  const consumed = rng.int(0, 50_000);
  return {
    id,
    lago_id: id,
    lago_customer_id: world.idOf('customers', customerIndex),
    external_customer_id: customer.externalId,
    status: terminated ? 'terminated' : 'active',
    currency: customer.currency,
    name: rng.chance(0.5) ? 'Prepaid credits' : null,
    rate_amount: decimal(rng.pick([1, 1, 0.5, 2]), 1),
    credits_balance: decimal(balanceCents / 100),
    balance_cents: balanceCents,
    consumed_credits: decimal(consumed / 100),
    credits_ongoing_balance: decimal((balanceCents - usageCents) / 100),
    credits_ongoing_usage_balance: decimal(usageCents / 100),
    ongoing_balance_cents: balanceCents - usageCents,
    ongoing_usage_balance_cents: usageCents,
    expiration_at: rng.chance(0.3) ? isoUtc(created + 365 * DAY) : null,
    last_balance_sync_at: isoUtc(updated),
    last_consumed_credit_at: consumed > 0 ? isoUtc(updated) : null,
    terminated_at: terminated ? isoUtc(updated) : null,
    created_at: isoUtc(created),
    updated_at: isoUtc(updated),
  };
};

export const analyticsBuilders: Readonly<Record<string, Builder>> = {
  metrics,
  plans,
  coupons,
  add_ons: addOns,
  invoices,
  customers,
  subscriptions,
  wallets,
  customer_usage: (context) => usageRecord(context, false),
  fees,
  customer_usage_past: (context) => usageRecord(context, true),
};
