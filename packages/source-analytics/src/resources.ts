/**
 * The analytics API's eleven list resources: the seed's names, paths and data selectors, and the
 * declared value schema of each. The real API keys every record by `lago_id` (a UUID).
 */
import type { AvroRecordSchema } from '@siphon/avro';
import { declaredSchemas } from '@siphon/avro';
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

const declared = declaredSchemas<AnalyticsResourceName>(
  ANALYTICS_NAMESPACE,
  {
    metrics: metric,
    plans: plan,
    coupons: coupon,
    add_ons: addOn,
    invoices: invoice,
    customers: customer,
    subscriptions: subscription,
    wallets: wallet,
    customer_usage: customerUsage,
    fees: fee,
    customer_usage_past: customerUsagePast,
  },
  () => ['id', ANALYTICS_REAL_ID_FIELD],
);

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
  return declared.schemaFor(name, primaryKey);
}

/** The declared schemas keyed by the seed's primary key `id`. */
export const analyticsSchemas: Readonly<Record<AnalyticsResourceName, AvroRecordSchema>> = declared.schemas;
