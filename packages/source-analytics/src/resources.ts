/**
 * The analytics API's eleven list resources: the seed's names, paths and data selectors, and the
 * declared value schema of each. The real API keys every record by `lago_id` (a UUID).
 */
import type { AvroRecordSchema } from '@siphon/core';
import { finishSchema, keyedSchema } from '@siphon/core';
import { customer, subscription, wallet } from './schemas/accounts.js';
import { customerUsage, customerUsagePast, fee, invoice } from './schemas/billing.js';
import { addOn, coupon, metric, plan } from './schemas/catalog.js';

export const ANALYTICS_NAMESPACE = 'siphon.analytics';

export const ANALYTICS_RESOURCE_NAMES = [
  'metrics',
  'plans',
  'coupons',
  'add_ons',
  'invoices',
  'customers',
  'subscriptions',
  'wallets',
  'customer_usage',
  'fees',
  'customer_usage_past',
] as const;

export type AnalyticsResourceName = (typeof ANALYTICS_RESOURCE_NAMES)[number];

/** The real API's own id field, the primary key of the `real_api` preset. */
export const ANALYTICS_REAL_ID_FIELD = 'lago_id';

export interface AnalyticsResource {
  name: AnalyticsResourceName;
  /** Endpoint path relative to the base URL. */
  path: string;
  /** Envelope key holding the records. */
  dataSelector: string;
}

const row = (name: AnalyticsResourceName, dataSelector: string = name): AnalyticsResource =>
  Object.freeze({ name, path: `/v1/${name}`, dataSelector });

export const analyticsResources: readonly AnalyticsResource[] = Object.freeze([
  row('metrics'),
  row('plans'),
  row('coupons'),
  row('add_ons'),
  row('invoices'),
  row('customers'),
  row('subscriptions'),
  row('wallets'),
  row('customer_usage'),
  row('fees'),
  row('customer_usage_past', 'usage_periods'),
]);

const baseSchemas: Record<AnalyticsResourceName, AvroRecordSchema> = {
  metrics: finishSchema(metric, ANALYTICS_NAMESPACE),
  plans: finishSchema(plan, ANALYTICS_NAMESPACE),
  coupons: finishSchema(coupon, ANALYTICS_NAMESPACE),
  add_ons: finishSchema(addOn, ANALYTICS_NAMESPACE),
  invoices: finishSchema(invoice, ANALYTICS_NAMESPACE),
  customers: finishSchema(customer, ANALYTICS_NAMESPACE),
  subscriptions: finishSchema(subscription, ANALYTICS_NAMESPACE),
  wallets: finishSchema(wallet, ANALYTICS_NAMESPACE),
  customer_usage: finishSchema(customerUsage, ANALYTICS_NAMESPACE),
  fees: finishSchema(fee, ANALYTICS_NAMESPACE),
  customer_usage_past: finishSchema(customerUsagePast, ANALYTICS_NAMESPACE),
};

export function analyticsResource(name: AnalyticsResourceName): AnalyticsResource {
  return analyticsResources.find((r) => r.name === name) as AnalyticsResource;
}

/**
 * The declared value schema of a resource for a primary key: the key's id fields are required,
 * the other of `id`/`lago_id` is nullable, since an API keyed one way need not send the other.
 */
export function analyticsSchemaFor(
  name: AnalyticsResourceName,
  primaryKey: readonly string[] = ['id'],
): AvroRecordSchema {
  return keyedSchema(
    baseSchemas[name],
    ['id', ANALYTICS_REAL_ID_FIELD],
    primaryKey,
    `Primary key: ${primaryKey.join(', ')}.`,
  );
}

/** The declared schemas keyed by the seed's primary key `id`. */
export const analyticsSchemas: Readonly<Record<AnalyticsResourceName, AvroRecordSchema>> = Object.freeze(
  Object.fromEntries(ANALYTICS_RESOURCE_NAMES.map((name) => [name, analyticsSchemaFor(name)])) as Record<
    AnalyticsResourceName,
    AvroRecordSchema
  >,
);
