import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog, type Sandbox, startSandbox } from '../src/index.js';
import { type AnalyticsPage, analyticsGet, type Json } from './helpers.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5, size: 120, sizes: { analytics: { fees: 250, coupons: 0 } } });
});
afterAll(() => sandbox.close());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const DECIMAL = /^-?\d+\.\d+$/;

describe('analytics envelope and pagination', () => {
  it('answers {<key>, meta} with 100 records per page by default', async () => {
    const response = await analyticsGet(sandbox, '/v1/fees');
    expect(response.status).toBe(200);
    const body = (await response.json()) as AnalyticsPage;
    expect(Object.keys(body)).toEqual(['fees', 'meta']);
    expect(body.fees).toHaveLength(100);
    expect(body.meta).toEqual({
      current_page: 1,
      next_page: 2,
      prev_page: null,
      total_pages: 3,
      total_count: 250,
    });
  });

  it('sets next_page null on the last page', async () => {
    const body = (await (await analyticsGet(sandbox, '/v1/fees?page=3')).json()) as AnalyticsPage;
    expect(body.fees).toHaveLength(50);
    expect(body.meta).toEqual({
      current_page: 3,
      next_page: null,
      prev_page: 2,
      total_pages: 3,
      total_count: 250,
    });
  });

  it('answers a page past the end with no records and next_page null', async () => {
    const body = (await (await analyticsGet(sandbox, '/v1/fees?page=9')).json()) as AnalyticsPage;
    expect(body.fees).toEqual([]);
    expect(body.meta).toMatchObject({ current_page: 9, next_page: null, total_pages: 3 });
  });

  it('honours per_page', async () => {
    const body = (await (await analyticsGet(sandbox, '/v1/fees?per_page=30&page=2')).json()) as AnalyticsPage;
    expect(body.fees).toHaveLength(30);
    expect(body.meta).toMatchObject({ current_page: 2, next_page: 3, prev_page: 1, total_pages: 9 });
  });

  it('describes an empty list with current_page 0 and total_pages 0', async () => {
    const body = (await (await analyticsGet(sandbox, '/v1/coupons')).json()) as AnalyticsPage;
    expect(body).toEqual({
      coupons: [],
      meta: { current_page: 0, next_page: null, prev_page: null, total_pages: 0, total_count: 0 },
    });
  });

  it('lists newest first (created_at desc)', async () => {
    const body = (await (await analyticsGet(sandbox, '/v1/invoices')).json()) as AnalyticsPage;
    const created = (body.invoices as Json[]).map((r) => String(r.created_at));
    expect([...created].sort().reverse()).toEqual(created);
  });

  it('answers 401 {"status":401,"error":"Unauthorized"} without the right key', async () => {
    const missing = await fetch(`${sandbox.analyticsUrl}/v1/plans`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ status: 401, error: 'Unauthorized' });
    const wrong = await analyticsGet(sandbox, '/v1/plans', 'not-the-key');
    expect(wrong.status).toBe(401);
  });

  it('answers an unknown path with 404 carrying a code', async () => {
    const response = await analyticsGet(sandbox, '/v1/nothing_here');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ status: 404, error: 'Not Found', code: 'route_not_found' });
  });
});

describe('analytics records', () => {
  it.each(catalog.analytics.resources.map((r) => [r.name, r.path, r.dataKey] as const))(
    '%s records have id = lago_id (UUID), ISO UTC times and stable keys',
    async (name, path, dataKey) => {
      if (name === 'coupons') return; // empty in this sandbox; covered by the seeds test
      const body = (await (await analyticsGet(sandbox, `${path}?per_page=60`)).json()) as AnalyticsPage;
      const records = body[dataKey] as Json[];
      expect(records.length).toBeGreaterThan(0);
      const keys = JSON.stringify(Object.keys(records[0]!));
      for (const record of records) {
        expect(JSON.stringify(Object.keys(record))).toBe(keys);
        expect(record.id).toMatch(UUID);
        expect(record.lago_id).toBe(record.id);
        expect(record.created_at).toMatch(ISO_UTC);
        expect(record.updated_at).toMatch(ISO_UTC);
        for (const [key, value] of Object.entries(record)) {
          if (key.endsWith('amount_cents') && value !== null) expect(Number.isInteger(value)).toBe(true);
        }
      }
    },
  );

  it('plans embed charges with properties; decimals are strings', async () => {
    const body = (await (await analyticsGet(sandbox, '/v1/plans')).json()) as AnalyticsPage;
    const plans = body.plans as Json[];
    for (const plan of plans) {
      expect(plan.amount_currency).toMatch(/^[A-Z]{3}$/);
      const charges = plan.charges as Json[];
      expect(charges.length).toBeGreaterThan(0);
      for (const charge of charges) {
        expect(charge.lago_id).toMatch(UUID);
        expect(Object.keys(charge.properties as Json)).toEqual([
          'amount',
          'free_units',
          'package_size',
          'rate',
          'fixed_amount',
          'graduated_ranges',
        ]);
      }
    }
    const standard = plans.flatMap((p) => p.charges as Json[]).find((c) => c.charge_model === 'standard');
    expect(standard).toBeDefined();
    expect((standard!.properties as Json).amount).toMatch(DECIMAL);
  });

  it('usage records carry the period, amount, currency and charges_usage; past usage is under usage_periods', async () => {
    const current = (await (await analyticsGet(sandbox, '/v1/customer_usage')).json()) as AnalyticsPage;
    const past = (await (await analyticsGet(sandbox, '/v1/customer_usage_past')).json()) as AnalyticsPage;
    expect(Object.keys(past)).toEqual(['usage_periods', 'meta']);
    for (const usage of [...(current.customer_usage as Json[]), ...(past.usage_periods as Json[])]) {
      expect(usage.from_datetime).toMatch(ISO_UTC);
      expect(usage.to_datetime).toMatch(ISO_UTC);
      expect(String(usage.to_datetime) > String(usage.from_datetime)).toBe(true);
      expect(Number.isInteger(usage.amount_cents)).toBe(true);
      expect(usage.currency).toMatch(/^[A-Z]{3}$/);
      const charges = usage.charges_usage as Json[];
      expect(charges.length).toBeGreaterThan(0);
      expect(charges[0]!.units).toMatch(DECIMAL);
      const sum = charges.reduce((total, c) => total + (c.amount_cents as number), 0);
      expect(usage.amount_cents).toBe(sum);
    }
    expect((past.usage_periods as Json[])[0]!.lago_invoice_id).toMatch(UUID);
  });

  it('wallets print balances as decimal strings beside integer cents', async () => {
    const body = (await (await analyticsGet(sandbox, '/v1/wallets')).json()) as AnalyticsPage;
    for (const wallet of body.wallets as Json[]) {
      expect(wallet.credits_balance).toMatch(DECIMAL);
      expect(Number(wallet.credits_balance) * 100).toBeCloseTo(wallet.balance_cents as number, 5);
    }
  });

  it('subscriptions point at customers that exist', async () => {
    const customers = (await (
      await analyticsGet(sandbox, '/v1/customers?per_page=200')
    ).json()) as AnalyticsPage;
    const byId = new Map((customers.customers as Json[]).map((c) => [c.lago_id, c.external_id]));
    const subscriptions = (await (await analyticsGet(sandbox, '/v1/subscriptions')).json()) as AnalyticsPage;
    for (const subscription of subscriptions.subscriptions as Json[]) {
      expect(byId.get(subscription.lago_customer_id)).toBe(subscription.external_customer_id);
    }
  });
});
