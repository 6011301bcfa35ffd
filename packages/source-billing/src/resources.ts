/**
 * The billing API's twelve list resources: the seed's names, paths and data selectors, the
 * real API's own id field, and the declared value schema of each.
 */
import type { AvroRecordSchema } from '@siphon/avro';
import { declaredSchemas } from '@siphon/avro';
import { addon, coupon, plan, product, tax } from './schemas/catalog.js';
import { customer, estimate, invoice, subscription, transaction } from './schemas/sales.js';
import { expense, recurringExpense } from './schemas/spending.js';

export const BILLING_NAMESPACE = 'siphon.billing';

export const BILLING_RESOURCE_NAMES = [
  'products',
  'plans',
  'addons',
  'coupons',
  'customers',
  'quotes',
  'invoices',
  'expenses',
  'subscriptions',
  'taxes',
  'transactions',
  'recurring_expenses',
] as const;

export type BillingResourceName = (typeof BILLING_RESOURCE_NAMES)[number];

export interface BillingResource {
  name: BillingResourceName;
  /** Endpoint path relative to the base URL. */
  path: string;
  /** Envelope key holding the records. */
  dataSelector: string;
  /** The real API's own id: the primary key of the `real_api` preset. */
  realIdField: string;
  /** The field an update moves. */
  updatedField: 'updated_time' | 'last_modified_time';
}

const row = (
  name: BillingResourceName,
  path: string,
  dataSelector: string,
  realIdField: string,
  updatedField: BillingResource['updatedField'] = 'updated_time',
): BillingResource => Object.freeze({ name, path, dataSelector, realIdField, updatedField });

export const billingResources: readonly BillingResource[] = Object.freeze([
  row('products', '/products', 'products', 'product_id'),
  row('plans', '/plans', 'plans', 'plan_code'),
  row('addons', '/addons', 'addons', 'addon_code'),
  row('coupons', '/coupons', 'coupons', 'coupon_code'),
  row('customers', '/customers', 'customers', 'customer_id'),
  row('quotes', '/estimates', 'estimates', 'estimate_id', 'last_modified_time'),
  row('invoices', '/invoices', 'invoices', 'invoice_id'),
  row('expenses', '/expenses', 'expenses', 'expense_id', 'last_modified_time'),
  row('subscriptions', '/subscriptions', 'subscriptions', 'subscription_id'),
  row('taxes', '/settings/taxes', 'taxes', 'tax_id'),
  row('transactions', '/transactions', 'transactions', 'transaction_id'),
  row(
    'recurring_expenses',
    '/recurringexpenses',
    'recurring_expenses',
    'recurring_expense_id',
    'last_modified_time',
  ),
]);

const declared = declaredSchemas<BillingResourceName>(
  BILLING_NAMESPACE,
  {
    products: product,
    plans: plan,
    addons: addon,
    coupons: coupon,
    customers: customer,
    quotes: estimate,
    invoices: invoice,
    expenses: expense,
    subscriptions: subscription,
    taxes: tax,
    transactions: transaction,
    recurring_expenses: recurringExpense,
  },
  (name) => ['id', billingResource(name).realIdField],
);

export function billingResource(name: BillingResourceName): BillingResource {
  return billingResources.find((r) => r.name === name) as BillingResource;
}

/**
 * The declared value schema of a resource for a primary key: the key's id fields are required,
 * the other id (`id` or the real API's id) is nullable, since an API keyed one way need not send
 * the other.
 */
export function billingSchemaFor(
  name: BillingResourceName,
  primaryKey: readonly string[] = ['id'],
): AvroRecordSchema {
  return declared.schemaFor(name, primaryKey);
}

/** The declared schemas keyed by the seed's primary key `id`. */
export const billingSchemas: Readonly<Record<BillingResourceName, AvroRecordSchema>> = declared.schemas;
