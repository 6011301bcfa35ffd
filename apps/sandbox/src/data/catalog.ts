/**
 * The resources the sandbox serves: the seeds' names, paths and data selectors, plus the
 * real APIs' id fields. One table, so routes, sizes, ground truth and docs agree.
 */
import { uuids } from './analytics-identities.js';
import { analyticsBuilders } from './analytics-records.js';
import { billingIds } from './billing-identities.js';
import { billingBuilders } from './billing-records.js';
import type { ApiName, ResourceSpec } from './spec.js';

interface BillingRow {
  name: keyof typeof billingIds;
  path: string;
  dataKey: string;
  idField: string;
  updatedField: 'updated_time' | 'last_modified_time';
}

const BILLING_ROWS: readonly BillingRow[] = [
  {
    name: 'products',
    path: '/products',
    dataKey: 'products',
    idField: 'product_id',
    updatedField: 'updated_time',
  },
  { name: 'plans', path: '/plans', dataKey: 'plans', idField: 'plan_code', updatedField: 'updated_time' },
  { name: 'addons', path: '/addons', dataKey: 'addons', idField: 'addon_code', updatedField: 'updated_time' },
  {
    name: 'coupons',
    path: '/coupons',
    dataKey: 'coupons',
    idField: 'coupon_code',
    updatedField: 'updated_time',
  },
  {
    name: 'customers',
    path: '/customers',
    dataKey: 'customers',
    idField: 'customer_id',
    updatedField: 'updated_time',
  },
  {
    name: 'quotes',
    path: '/estimates',
    dataKey: 'estimates',
    idField: 'estimate_id',
    updatedField: 'last_modified_time',
  },
  {
    name: 'invoices',
    path: '/invoices',
    dataKey: 'invoices',
    idField: 'invoice_id',
    updatedField: 'updated_time',
  },
  {
    name: 'expenses',
    path: '/expenses',
    dataKey: 'expenses',
    idField: 'expense_id',
    updatedField: 'last_modified_time',
  },
  {
    name: 'subscriptions',
    path: '/subscriptions',
    dataKey: 'subscriptions',
    idField: 'subscription_id',
    updatedField: 'updated_time',
  },
  {
    name: 'taxes',
    path: '/settings/taxes',
    dataKey: 'taxes',
    idField: 'tax_id',
    updatedField: 'updated_time',
  },
  {
    name: 'transactions',
    path: '/transactions',
    dataKey: 'transactions',
    idField: 'transaction_id',
    updatedField: 'updated_time',
  },
  {
    name: 'recurring_expenses',
    path: '/recurringexpenses',
    dataKey: 'recurring_expenses',
    idField: 'recurring_expense_id',
    updatedField: 'last_modified_time',
  },
];

const ANALYTICS_ROWS: readonly { name: string; path: string; dataKey: string }[] = [
  { name: 'metrics', path: '/v1/metrics', dataKey: 'metrics' },
  { name: 'plans', path: '/v1/plans', dataKey: 'plans' },
  { name: 'coupons', path: '/v1/coupons', dataKey: 'coupons' },
  { name: 'add_ons', path: '/v1/add_ons', dataKey: 'add_ons' },
  { name: 'invoices', path: '/v1/invoices', dataKey: 'invoices' },
  { name: 'customers', path: '/v1/customers', dataKey: 'customers' },
  { name: 'subscriptions', path: '/v1/subscriptions', dataKey: 'subscriptions' },
  { name: 'wallets', path: '/v1/wallets', dataKey: 'wallets' },
  { name: 'customer_usage', path: '/v1/customer_usage', dataKey: 'customer_usage' },
  { name: 'fees', path: '/v1/fees', dataKey: 'fees' },
  { name: 'customer_usage_past', path: '/v1/customer_usage_past', dataKey: 'usage_periods' },
];

function billingSpec(row: BillingRow): ResourceSpec {
  const build = billingBuilders[row.name];
  if (!build) throw new Error(`no billing record builder for '${row.name}'`);
  const idOf = billingIds[row.name];
  return {
    api: 'billing',
    name: row.name,
    path: row.path,
    dataKey: row.dataKey,
    idField: row.idField,
    createdField: 'created_time',
    updatedField: row.updatedField,
    idsFollowIndex: true,
    idOf: (_seed, index) => idOf(index),
    build,
  };
}

function analyticsSpec(row: { name: string; path: string; dataKey: string }): ResourceSpec {
  const build = analyticsBuilders[row.name];
  if (!build) throw new Error(`no analytics record builder for '${row.name}'`);
  return {
    api: 'analytics',
    name: row.name,
    path: row.path,
    dataKey: row.dataKey,
    idField: 'lago_id',
    createdField: 'created_at',
    updatedField: 'updated_at',
    idsFollowIndex: false,
    idOf: (seed, index) => uuids(seed, row.name).uuid(index),
    idSortKey: (seed, index) => uuids(seed, row.name).sortKey(index),
    indexOfIdSortKey: (seed, key) => uuids(seed, row.name).indexOfSortKey(key),
    build,
  };
}

export const SPECS: Readonly<Record<ApiName, readonly ResourceSpec[]>> = {
  billing: BILLING_ROWS.map(billingSpec),
  analytics: ANALYTICS_ROWS.map(analyticsSpec),
};

/** Finds a resource by its seed name, data key or path (`quotes`, `estimates`, `/estimates`). */
export function findSpec(api: ApiName, resource: string): ResourceSpec {
  const specs = SPECS[api];
  if (!specs) throw new Error(`unknown API '${String(api)}': expected 'billing' or 'analytics'`);
  const wanted = resource.startsWith('/') ? resource : resource.replace(/^v1\//, '');
  const spec = specs.find(
    (s) => s.name === wanted || s.dataKey === wanted || s.path === wanted || s.path === `/${wanted}`,
  );
  if (!spec) {
    throw new Error(
      `unknown ${api} resource '${resource}': expected one of ${specs.map((s) => s.name).join(', ')}`,
    );
  }
  return spec;
}

/** One resource as the public catalog describes it. */
export interface CatalogResource {
  /** The seed's resource name. */
  name: string;
  path: string;
  /** The envelope key (the seed's data selector). */
  dataKey: string;
  /** The seeds' primary key: always `id`, a string equal to `idField`'s value. */
  primaryKey: 'id';
  /** The real API's own id field. */
  idField: string;
  createdField: string;
  updatedField: string;
}

export interface CatalogApi {
  /** Query parameters the list endpoints understand. */
  pageParam: 'page';
  perPageParam: 'per_page';
  defaultPerPage: number;
  maxPerPage: number | null;
  resources: CatalogResource[];
}

function describe(spec: ResourceSpec): CatalogResource {
  return {
    name: spec.name,
    path: spec.path,
    dataKey: spec.dataKey,
    primaryKey: 'id',
    idField: spec.idField,
    createdField: spec.createdField,
    updatedField: spec.updatedField,
  };
}

export const BILLING_DEFAULT_PER_PAGE = 200;
export const BILLING_MAX_PER_PAGE = 200;
export const ANALYTICS_DEFAULT_PER_PAGE = 100;
/** Not a documented limit of the real API: a guard so one request cannot build an unbounded page. */
export const ANALYTICS_MAX_PER_PAGE = 10_000;

/**
 * Sandbox sizes at the seeds' page boundaries (billing pages of 200, analytics pages of the default
 * 100), for tests that walk every page: exactly two pages (billing invoices, analytics fees), one
 * record past a full page (customers), a single record (plans), and empty resources (taxes, wallets).
 */
export const PAGE_BOUNDARY_SIZES = Object.freeze({
  size: 230,
  sizes: {
    billing: {
      invoices: 2 * BILLING_DEFAULT_PER_PAGE,
      customers: BILLING_DEFAULT_PER_PAGE + 1,
      taxes: 0,
    },
    analytics: { fees: 2 * ANALYTICS_DEFAULT_PER_PAGE, wallets: 0, plans: 1 },
  },
});

/** Static description of both APIs' resources (record counts live on a running sandbox). */
export const catalog: Readonly<Record<ApiName, CatalogApi>> = {
  billing: {
    pageParam: 'page',
    perPageParam: 'per_page',
    defaultPerPage: BILLING_DEFAULT_PER_PAGE,
    maxPerPage: BILLING_MAX_PER_PAGE,
    resources: SPECS.billing.map(describe),
  },
  analytics: {
    pageParam: 'page',
    perPageParam: 'per_page',
    defaultPerPage: ANALYTICS_DEFAULT_PER_PAGE,
    maxPerPage: null,
    resources: SPECS.analytics.map(describe),
  },
};
