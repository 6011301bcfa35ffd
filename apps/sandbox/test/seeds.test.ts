/**
 * "Done when": the two seed configs' requests, made by hand with fetch, walk all pages of
 * every resource and get every ground-truth record exactly once. The tables below are the
 * seeds' resources verbatim (name, endpoint path, data_selector, paginator).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_BOUNDARY_SIZES, type Sandbox, startSandbox } from '../src/index.js';
import { accessToken, collect, type Json } from './helpers.js';

const BILLING_SEED = [
  ['products', '/products', 'products'],
  ['plans', '/plans', 'plans'],
  ['addons', '/addons', 'addons'],
  ['coupons', '/coupons', 'coupons'],
  ['customers', '/customers', 'customers'],
  ['quotes', '/estimates', 'estimates'],
  ['invoices', '/invoices', 'invoices'],
  ['expenses', '/expenses', 'expenses'],
  ['subscriptions', '/subscriptions', 'subscriptions'],
  ['taxes', '/settings/taxes', 'taxes'],
  ['transactions', '/transactions', 'transactions'],
  ['recurring_expenses', '/recurringexpenses', 'recurring_expenses'],
] as const;
/** Billing paginator: page_number, page_param "page", limit_param "per_page", limit 200. */
const BILLING_LIMIT = 200;

const ANALYTICS_SEED = [
  ['metrics', '/v1/metrics', 'metrics'],
  ['plans', '/v1/plans', 'plans'],
  ['coupons', '/v1/coupons', 'coupons'],
  ['add_ons', '/v1/add_ons', 'add_ons'],
  ['invoices', '/v1/invoices', 'invoices'],
  ['customers', '/v1/customers', 'customers'],
  ['subscriptions', '/v1/subscriptions', 'subscriptions'],
  ['wallets', '/v1/wallets', 'wallets'],
  ['customer_usage', '/v1/customer_usage', 'customer_usage'],
  ['fees', '/v1/fees', 'fees'],
  ['customer_usage_past', '/v1/customer_usage_past', 'usage_periods'],
] as const;
/** Analytics paginator: cursor, cursor_param "page", cursor_path "response.meta.next_page" (no limit param sent). */

let sandbox: Sandbox;
let token: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7, ...PAGE_BOUNDARY_SIZES });
  token = await accessToken(sandbox);
});
afterAll(() => sandbox.close());

/** page_number: pages 1, 2, ... with per_page=200; stop on an empty page or one shorter than the limit. */
async function walkBilling(path: string, dataKey: string): Promise<{ records: Json[]; requests: number }> {
  const records: Json[] = [];
  let requests = 0;
  for (let page = 1; ; page++) {
    const response = await fetch(`${sandbox.billingUrl}${path}?page=${page}&per_page=${BILLING_LIMIT}`, {
      headers: { authorization: `Zoho-oauthtoken ${token}` },
    });
    requests++;
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json & { page_context: { has_more_page: boolean } };
    const items = body[dataKey] as Json[];
    expect(Array.isArray(items)).toBe(true);
    records.push(...items);
    if (items.length === 0 || items.length < BILLING_LIMIT) {
      expect(body.page_context.has_more_page).toBe(false);
      return { records, requests };
    }
  }
}

/** cursor: no page param first, then page=<meta.next_page> until it is null. */
async function walkAnalytics(path: string, dataKey: string): Promise<{ records: Json[]; requests: number }> {
  const records: Json[] = [];
  let requests = 0;
  let cursor: number | null | undefined;
  do {
    const url =
      cursor === undefined
        ? `${sandbox.analyticsUrl}${path}`
        : `${sandbox.analyticsUrl}${path}?page=${cursor}`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${sandbox.credentials.apiKey}` } });
    requests++;
    expect(response.status).toBe(200);
    const body = (await response.json()) as Json & { meta: { next_page: number | null } };
    records.push(...(body[dataKey] as Json[]));
    cursor = body.meta.next_page;
  } while (cursor !== null && requests < 1000);
  return { records, requests };
}

function expectExactlyOnce(records: Json[], truth: Json[]) {
  const ids = records.map((r) => r.id as string);
  expect(new Set(ids).size).toBe(ids.length);
  expect(records).toEqual(truth);
}

describe('the billing seed walks every page of every resource', () => {
  it.each(BILLING_SEED)('%s (%s → %s)', async (name, path, dataKey) => {
    const { records, requests } = await walkBilling(path, dataKey);
    const truth = await collect(sandbox.groundTruth('billing', name));
    expectExactlyOnce(records, truth);
    const expected = name === 'invoices' ? 400 : name === 'customers' ? 201 : name === 'taxes' ? 0 : 230;
    expect(records).toHaveLength(expected);
    // 400 = 2 full pages, then an empty third page ends the walk; 201 and 230 end on a short second page.
    expect(requests).toBe(name === 'invoices' ? 3 : name === 'taxes' ? 1 : 2);
  });
});

describe('the analytics seed walks every page of every resource', () => {
  it.each(ANALYTICS_SEED)('%s (%s → %s)', async (name, path, dataKey) => {
    const { records, requests } = await walkAnalytics(path, dataKey);
    const truth = await collect(sandbox.groundTruth('analytics', name));
    expectExactlyOnce(records, truth);
    const expected = name === 'fees' ? 200 : name === 'wallets' ? 0 : name === 'plans' ? 1 : 230;
    expect(records).toHaveLength(expected);
    expect(requests).toBe(Math.max(1, Math.ceil(expected / 100)));
  });
});
