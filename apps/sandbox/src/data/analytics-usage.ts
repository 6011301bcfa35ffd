/** What customers consume: current and past usage, and the fees billed for it. */
import { analyticsCustomer, metricIdentity, planIdentity, uuids } from './analytics-identities.js';
import {
  type Builder,
  decimal,
  monthStart,
  nextMonthStart,
  revisionRng,
  subscriptionOf,
} from './analytics-parts.js';
import { codeId } from './ids.js';
import type { BuildContext, JsonRecord } from './spec.js';
import { DAY, isoDate, isoUtc } from './time.js';

export function usageRecord(context: BuildContext, past: boolean): JsonRecord {
  const { id, rng, seed, created, updated, world, version } = context;
  const subIndex = world.pickIndex('subscriptions', rng);
  const sub = subscriptionOf(world, subIndex);
  const customer = analyticsCustomer(seed, sub.customerIndex);
  const plan = planIdentity(seed, sub.planIndex, world.sizeOf('metrics'));
  const from = past ? monthStart(created - 40 * DAY) : monthStart(created);
  const to = (past ? monthStart(created) : nextMonthStart(created)) - 1;
  const growth = version > 0 ? 1 + revisionRng(context).next() : 1;
  let amountCents = 0;
  const chargesUsage = plan.charges.map((charge) => {
    const metric = metricIdentity(seed, charge.metricIndex);
    const units = Math.round(rng.int(0, 20_000) * growth);
    const cents = Math.round(units * charge.unitPrice * 100);
    amountCents += cents;
    return {
      units: decimal(units, 1),
      events_count: Math.min(units, rng.int(0, 5000)),
      amount_cents: cents,
      amount_currency: plan.currency,
      charge: {
        lago_id: charge.lagoId,
        charge_model: charge.model,
        invoice_display_name: charge.displayName,
      },
      billable_metric: {
        lago_id: world.idOf('metrics', charge.metricIndex),
        name: metric.name,
        code: metric.code,
        aggregation_type: metric.aggregationType,
      },
    };
  });
  const taxesCents = Math.round(amountCents * rng.pick([0, 0, 0.1, 0.2]));
  const record: JsonRecord = {
    id,
    lago_id: id,
    lago_customer_id: world.idOf('customers', sub.customerIndex),
    external_customer_id: customer.externalId,
    lago_subscription_id: world.idOf('subscriptions', subIndex),
    external_subscription_id: sub.externalId,
    from_datetime: isoUtc(from),
    to_datetime: isoUtc(to),
    issuing_date: isoDate(to + 1),
  };
  if (past) record.lago_invoice_id = world.idOf('invoices', world.pickIndex('invoices', rng));
  record.currency = plan.currency;
  record.amount_cents = amountCents;
  record.taxes_amount_cents = taxesCents;
  record.total_amount_cents = amountCents + taxesCents;
  record.charges_usage = chargesUsage;
  record.created_at = isoUtc(created);
  record.updated_at = isoUtc(updated);
  return record;
}

export const fees: Builder = ({ id, rng, seed, index, created, updated, world }) => {
  const subIndex = world.pickIndex('subscriptions', rng);
  const sub = subscriptionOf(world, subIndex);
  const customer = analyticsCustomer(seed, sub.customerIndex);
  const plan = planIdentity(seed, sub.planIndex, world.sizeOf('metrics'));
  const type = rng.pick(['charge', 'charge', 'subscription', 'add_on', 'credit'] as const);
  const charge = plan.charges[rng.int(0, plan.charges.length - 1)]!;
  const metric = metricIdentity(seed, charge.metricIndex);
  const addOnIndex = world.pickIndex('add_ons', rng);
  const units = type === 'charge' ? rng.int(1, 10_000) : 1;
  const unitAmount = type === 'charge' ? charge.unitPrice : plan.amountCents / 100;
  const precise = units * unitAmount;
  const amountCents = Math.round(precise * 100);
  const taxRate = rng.pick([0, 0, 10, 20]);
  const taxesPrecise = (precise * taxRate) / 100;
  const paymentStatus = rng.pick(['succeeded', 'succeeded', 'pending', 'failed', 'refunded']);
  const onInvoice = rng.chance(0.9);
  const itemDisplayName = rng.chance(0.2);
  const item =
    type === 'charge'
      ? {
          code: metric.code,
          name: metric.name,
          lago_item_id: world.idOf('metrics', charge.metricIndex),
          item_type: 'BillableMetric',
        }
      : type === 'add_on'
        ? {
            code: codeId('addon_', addOnIndex),
            name: 'Add-on',
            lago_item_id: world.idOf('add_ons', addOnIndex),
            item_type: 'AddOn',
          }
        : type === 'credit'
          ? {
              code: 'credit',
              name: 'Credit',
              lago_item_id: uuids(seed, 'wallet_transactions').uuid(index),
              item_type: 'WalletTransaction',
            }
          : {
              code: plan.code,
              name: plan.name,
              lago_item_id: world.idOf('subscriptions', subIndex),
              item_type: 'Subscription',
            };
  return {
    id,
    lago_id: id,
    lago_charge_id: type === 'charge' ? charge.lagoId : null,
    lago_invoice_id: onInvoice ? world.idOf('invoices', world.pickIndex('invoices', rng)) : null,
    lago_subscription_id: type === 'credit' ? null : world.idOf('subscriptions', subIndex),
    lago_customer_id: world.idOf('customers', sub.customerIndex),
    external_customer_id: customer.externalId,
    external_subscription_id: type === 'credit' ? null : sub.externalId,
    invoice_display_name: type === 'charge' ? charge.displayName : null,
    amount_cents: amountCents,
    precise_amount: decimal(precise, 6),
    precise_total_amount: decimal(precise + taxesPrecise, 6),
    amount_currency: plan.currency,
    taxes_amount_cents: Math.round(taxesPrecise * 100),
    taxes_precise_amount: decimal(taxesPrecise, 6),
    taxes_rate: taxRate,
    units: decimal(units, 1),
    precise_unit_amount: decimal(unitAmount, 6),
    total_aggregated_units: decimal(units, 1),
    total_amount_cents: amountCents + Math.round(taxesPrecise * 100),
    total_amount_currency: plan.currency,
    events_count: type === 'charge' ? rng.int(1, units) : 0,
    pay_in_advance: type === 'charge' ? charge.payInAdvance : rng.chance(0.5),
    invoiceable: onInvoice,
    from_date: type === 'charge' || type === 'subscription' ? isoUtc(monthStart(created)) : null,
    to_date: type === 'charge' || type === 'subscription' ? isoUtc(nextMonthStart(created) - 1) : null,
    payment_status: paymentStatus,
    created_at: isoUtc(created),
    succeeded_at:
      paymentStatus === 'succeeded' || paymentStatus === 'refunded' ? isoUtc(created + 3600) : null,
    failed_at: paymentStatus === 'failed' ? isoUtc(created + 3600) : null,
    refunded_at: paymentStatus === 'refunded' ? isoUtc(updated) : null,
    item: { type, invoice_display_name: itemDisplayName ? `${item.name} fee` : null, ...item },
    updated_at: isoUtc(updated),
  };
};
