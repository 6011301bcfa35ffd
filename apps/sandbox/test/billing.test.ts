import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog, type Sandbox, startSandbox } from '../src/index.js';
import { accessToken, type BillingPage, billingGet, type Json, manualClock } from './helpers.js';

let sandbox: Sandbox;
let token: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11, size: 60, sizes: { billing: { invoices: 450 } } });
  token = await accessToken(sandbox);
});
afterAll(() => sandbox.close());

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DIGIT_ID = /^\d{15}$/;

describe('billing envelope and pagination', () => {
  it('answers the envelope with page_context, 200 records per page by default', async () => {
    const response = await billingGet(sandbox, '/invoices', token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as BillingPage;
    expect(Object.keys(body)).toEqual(['code', 'message', 'invoices', 'page_context']);
    expect(body.code).toBe(0);
    expect(body.message).toBe('success');
    expect(body.invoices).toHaveLength(200);
    expect(body.page_context).toMatchObject({ page: 1, per_page: 200, has_more_page: true });
  });

  it('serves the last page short with has_more_page false, and an empty page past the end', async () => {
    const last = (await (
      await billingGet(sandbox, '/invoices?page=3&per_page=200', token)
    ).json()) as BillingPage;
    expect(last.invoices).toHaveLength(50);
    expect(last.page_context.has_more_page).toBe(false);
    const past = (await (
      await billingGet(sandbox, '/invoices?page=4&per_page=200', token)
    ).json()) as BillingPage;
    expect(past.invoices).toEqual([]);
    expect(past.page_context).toMatchObject({ page: 4, has_more_page: false });
  });

  it('honours smaller per_page values and keeps pages disjoint', async () => {
    const one = (await (
      await billingGet(sandbox, '/invoices?page=1&per_page=7', token)
    ).json()) as BillingPage;
    const two = (await (
      await billingGet(sandbox, '/invoices?page=2&per_page=7', token)
    ).json()) as BillingPage;
    const ids = [...(one.invoices as Json[]), ...(two.invoices as Json[])].map((r) => r.id);
    expect(new Set(ids).size).toBe(14);
    expect(one.page_context.per_page).toBe(7);
  });

  it('rejects per_page above 200 with 400 and a {code, message} body', async () => {
    const response = await billingGet(sandbox, '/invoices?page=1&per_page=201', token);
    expect(response.status).toBe(400);
    const body = (await response.json()) as Json;
    expect(Object.keys(body).sort()).toEqual(['code', 'message']);
    expect(body.code).not.toBe(0);
    expect(body.message).toMatch(/per_page.*200/);
  });

  it.each(['0', 'abc', '-1', '2.5'])('rejects page=%s with 400', async (page) => {
    const response = await billingGet(sandbox, `/invoices?page=${page}`, token);
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).message).toMatch(/page/);
  });

  it('answers an unknown path with 404 {"code":5,"message":"Invalid URL Passed"}', async () => {
    const response = await billingGet(sandbox, '/nonexistent', token);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ code: 5, message: 'Invalid URL Passed' });
  });

  it('answers a POST to a list path with 405', async () => {
    const response = await fetch(`${sandbox.billingUrl}/invoices`, {
      method: 'POST',
      headers: { authorization: `Zoho-oauthtoken ${token}` },
    });
    expect(response.status).toBe(405);
  });
});

describe('billing auth', () => {
  it('accepts both Zoho-oauthtoken and Bearer', async () => {
    expect((await billingGet(sandbox, '/products', token, 'Zoho-oauthtoken')).status).toBe(200);
    expect((await billingGet(sandbox, '/products', token, 'Bearer')).status).toBe(200);
  });

  it('answers a missing or unknown token with 401 code 57', async () => {
    const missing = await fetch(`${sandbox.billingUrl}/products`);
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as Json).code).toBe(57);
    const wrong = await billingGet(sandbox, '/products', '1000.not.a-token');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({
      code: 57,
      message: 'You are not authorized to perform this operation',
    });
  });

  it('answers an expired token with 401 code 57', async () => {
    const clock = manualClock();
    const short = await startSandbox({ size: 1, tokenTtlSeconds: 1, now: clock.now });
    try {
      const shortToken = await accessToken(short);
      expect((await billingGet(short, '/products', shortToken)).status).toBe(200);
      clock.advance(1_100);
      const expired = await billingGet(short, '/products', shortToken);
      expect(expired.status).toBe(401);
      expect(((await expired.json()) as Json).code).toBe(57);
    } finally {
      await short.close();
    }
  });

  it('requires the organisation header when configured to', async () => {
    const org = await startSandbox({ size: 1, organizationId: '10234695' });
    try {
      const orgToken = await accessToken(org);
      const without = await billingGet(org, '/products', orgToken);
      expect(without.status).toBe(400);
      expect(((await without.json()) as Json).message).toMatch(/X-com-zoho-subscriptions-organizationid/);
      const withHeader = await fetch(`${org.billingUrl}/products`, {
        headers: {
          authorization: `Zoho-oauthtoken ${orgToken}`,
          'X-com-zoho-subscriptions-organizationid': '10234695',
        },
      });
      expect(withHeader.status).toBe(200);
    } finally {
      await org.close();
    }
  });
});

describe('billing records', () => {
  const resources = catalog.billing.resources;

  it.each(resources.map((r) => [r.name, r.path, r.dataKey, r.idField, r.updatedField] as const))(
    '%s records carry id, the real id, and real-format times',
    async (_name, path, dataKey, idField, updatedField) => {
      const body = (await (await billingGet(sandbox, `${path}?per_page=50`, token)).json()) as BillingPage;
      const records = body[dataKey] as Json[];
      expect(records.length).toBeGreaterThan(0);
      const keys = JSON.stringify(Object.keys(records[0]!));
      for (const record of records) {
        // Stable field sets: the same keys, in the same order, in every record.
        expect(JSON.stringify(Object.keys(record))).toBe(keys);
        expect(typeof record.id).toBe('string');
        expect(record[idField]).toBe(record.id);
        expect(record.created_time).toMatch(DATETIME);
        expect(record[updatedField]).toMatch(DATETIME);
        expect(String(record[updatedField]) >= String(record.created_time)).toBe(true);
      }
      if (!['plans', 'addons', 'coupons'].some((code) => path === `/${code}`)) {
        for (const record of records) expect(record.id).toMatch(DIGIT_ID);
      }
      // Newest first.
      const created = records.map((r) => String(r.created_time));
      expect([...created].sort().reverse()).toEqual(created);
    },
  );

  it('invoices nest line items, addresses and custom fields, with money as numbers', async () => {
    const body = (await (await billingGet(sandbox, '/invoices?per_page=200', token)).json()) as BillingPage;
    const invoices = body.invoices as Json[];
    for (const invoice of invoices) {
      expect(invoice.date).toMatch(DATE);
      expect(typeof invoice.total).toBe('number');
      const items = invoice.line_items as Json[];
      expect(items.length).toBeGreaterThan(0);
      expect(items[0]).toMatchObject({
        line_item_id: expect.stringMatching(DIGIT_ID),
        quantity: expect.any(Number),
      });
      const sum = items.reduce((total, item) => total + (item.item_total as number), 0);
      expect(invoice.sub_total).toBeCloseTo(sum, 2);
      expect(invoice.total).toBeCloseTo((invoice.sub_total as number) + (invoice.tax_total as number), 2);
      expect(invoice.billing_address).toMatchObject({
        city: expect.any(String),
        country: expect.any(String),
      });
      expect(Array.isArray(invoice.custom_fields)).toBe(true);
    }
    // Nullable fields are really null in some records, and set in others.
    for (const field of ['reference_number', 'subscription_id', 'shipping_address']) {
      expect(invoices.some((invoice) => invoice[field] === null)).toBe(true);
      expect(invoices.some((invoice) => invoice[field] !== null)).toBe(true);
    }
    expect(invoices.some((invoice) => (invoice.custom_fields as Json[]).length > 0)).toBe(true);
  });

  it('invoice customers exist in /customers with the same name', async () => {
    const customers = (await (await billingGet(sandbox, '/customers', token)).json()) as BillingPage;
    const byId = new Map((customers.customers as Json[]).map((c) => [c.customer_id, c.display_name]));
    const invoices = (await (
      await billingGet(sandbox, '/invoices?per_page=30', token)
    ).json()) as BillingPage;
    for (const invoice of invoices.invoices as Json[]) {
      expect(byId.get(invoice.customer_id)).toBe(invoice.customer_name);
    }
  });
});
