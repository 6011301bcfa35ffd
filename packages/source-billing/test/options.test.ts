import { ConfigError, dlt, restApiSource, SecretRef } from '@siphon/core';
import { describe, expect, it } from 'vitest';
import {
  BILLING_RESOURCE_NAMES,
  type BillingSourceOptions,
  billingAuthFactories,
  billingResources,
  billingSchemaFor,
  billingSource,
} from '../src/index.js';

const base = {
  baseUrl: 'https://www.zohoapis.com/billing/v1',
  tokenUrl: 'https://accounts.zoho.com/oauth/v2/token',
};

type Resource = {
  name: string;
  primary_key?: unknown;
  write_disposition?: unknown;
  delete_detection?: unknown;
  schema?: { fields: { name: string; type: unknown }[] };
  endpoint: { path: string; data_selector: string; paginator: unknown };
};

function resources(options: Partial<BillingSourceOptions> = {}): Resource[] {
  return billingSource({ ...base, ...options }).resources as Resource[];
}

function problems(options: unknown): string {
  try {
    billingSource(options as BillingSourceOptions);
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected billingSource() to reject the options');
}

describe('billingSource() options → config', () => {
  it('defaults to all twelve resources, page_number paging of 200, oauth2 with the seed secrets', () => {
    const config = billingSource(base);
    expect(config.client.base_url).toBe(base.baseUrl);
    expect(config.client.auth).toEqual({
      type: 'oauth2',
      client_id: dlt.secrets.client_id,
      client_secret: dlt.secrets.client_secret,
      refresh_token: dlt.secrets.refresh_token,
      token_url: base.tokenUrl,
    });
    expect(config.resource_defaults).toEqual({ primary_key: 'id', write_disposition: 'merge' });
    const list = config.resources as Resource[];
    expect(list.map((r) => r.name)).toEqual([...BILLING_RESOURCE_NAMES]);
    expect(list.map((r) => [r.endpoint.path, r.endpoint.data_selector])).toEqual(
      billingResources.map((r) => [r.path, r.dataSelector]),
    );
    for (const r of list) {
      expect(r.endpoint.paginator).toEqual({
        type: 'page_number',
        page_param: 'page',
        limit_param: 'per_page',
        limit: 200,
      });
      expect(r.primary_key).toBeUndefined();
    }
    expect(list.find((r) => r.name === 'quotes')?.endpoint).toMatchObject({
      path: '/estimates',
      data_selector: 'estimates',
    });
    expect(list.find((r) => r.name === 'taxes')?.endpoint.path).toBe('/settings/taxes');
  });

  it('takes credentials as literals or secret references, and extra headers', () => {
    const config = billingSource({
      ...base,
      clientId: 'client-1',
      clientSecret: new SecretRef('zoho_secret'),
      refreshToken: dlt.secrets.zoho_refresh,
      headerScheme: 'Zoho-oauthtoken',
      headers: { 'X-com-zoho-subscriptions-organizationid': '10234695' },
    });
    const auth = config.client.auth as Record<string, unknown>;
    expect(auth.client_id).toBe('client-1');
    expect((auth.client_secret as SecretRef).name).toBe('zoho_secret');
    expect((auth.refresh_token as SecretRef).name).toBe('zoho_refresh');
    expect(auth.header_scheme).toBe('Zoho-oauthtoken');
    expect(config.client.headers).toEqual({ 'X-com-zoho-subscriptions-organizationid': '10234695' });
  });

  it('selects resources (in seed order) and sets the page size on every paginator', () => {
    const list = resources({ resources: ['invoices', 'customers'], pageSize: 50 });
    expect(list.map((r) => r.name)).toEqual(['customers', 'invoices']);
    for (const r of list) expect((r.endpoint.paginator as { limit: number }).limit).toBe(50);
  });

  it('preset real_api keys each resource by the real API id and declares that key required', () => {
    const config = billingSource({ ...base, preset: 'real_api' });
    expect(config.resource_defaults).toEqual({ write_disposition: 'merge' });
    const keys = Object.fromEntries((config.resources as Resource[]).map((r) => [r.name, r.primary_key]));
    expect(keys).toEqual({
      products: 'product_id',
      plans: 'plan_code',
      addons: 'addon_code',
      coupons: 'coupon_code',
      customers: 'customer_id',
      quotes: 'estimate_id',
      invoices: 'invoice_id',
      expenses: 'expense_id',
      subscriptions: 'subscription_id',
      taxes: 'tax_id',
      transactions: 'transaction_id',
      recurring_expenses: 'recurring_expense_id',
    });
    const invoices = (config.resources as Resource[]).find((r) => r.name === 'invoices');
    expect(invoices?.schema).toEqual(billingSchemaFor('invoices', ['invoice_id']));
  });

  it('applies per-resource overrides of key, disposition, paginator, path and delete detection', () => {
    const list = resources({
      overrides: {
        invoices: {
          primaryKey: ['invoice_number'],
          paginator: { type: 'page_number', page_param: 'page', has_more_path: 'page_context.has_more_page' },
        },
        transactions: { writeDisposition: 'append' },
        customers: { deleteDetection: 'none', path: '/contacts', dataSelector: 'contacts' },
      },
    });
    const by = (name: string) => list.find((r) => r.name === name) as Resource;
    expect(by('invoices').primary_key).toEqual(['invoice_number']);
    expect(by('invoices').endpoint.paginator).toEqual({
      type: 'page_number',
      page_param: 'page',
      has_more_path: 'page_context.has_more_page',
    });
    expect(by('invoices').schema?.fields.find((f) => f.name === 'id')?.type).toEqual(['null', 'string']);
    expect(by('transactions').write_disposition).toBe('append');
    expect(by('transactions').delete_detection).toBe('none');
    expect(by('customers').delete_detection).toBe('none');
    expect(by('customers').endpoint).toMatchObject({ path: '/contacts', data_selector: 'contacts' });
    expect(by('products').delete_detection).toBe('snapshot');
  });

  it('sets the schema contract globally, and per resource', () => {
    const list = resources({
      schemaContract: 'freeze',
      overrides: { invoices: { schemaContract: 'discard_value' } },
    });
    expect(list.find((r) => r.name === 'invoices')).toMatchObject({ schema_contract: 'discard_value' });
    expect(list.find((r) => r.name === 'products')).toMatchObject({ schema_contract: 'freeze' });
    expect(resources()[0]).not.toHaveProperty('schema_contract');
    expect(problems({ ...base, schemaContract: 'strict' })).toContain(
      'schemaContract: expected "evolve", "freeze", "discard_row" or "discard_value"',
    );
  });

  it('turns snapshot delete detection off for every resource with deleteDetection none', () => {
    for (const r of resources({ deleteDetection: 'none' })) expect(r.delete_detection).toBe('none');
  });

  it('passes allowInsecureHttp to the oauth2 auth for a loopback emulator', () => {
    const config = billingSource({
      baseUrl: 'http://127.0.0.1:4010',
      tokenUrl: 'http://127.0.0.1:4011/oauth/v2/token',
      allowInsecureHttp: true,
    });
    expect((config.client.auth as Record<string, unknown>).allow_insecure_http).toBe(true);
  });

  it('returns a fresh config each call, so callers can extend it safely', () => {
    const a = billingSource(base);
    const b = billingSource(base);
    (a.resources as Resource[]).pop();
    expect(b.resources).toHaveLength(12);
  });
});

describe('billingSource() bad options', () => {
  it('names an unknown resource and lists the valid ones', () => {
    expect(problems({ ...base, resources: ['invocies'] })).toContain(
      'resources.0: unknown resource "invocies"; expected one of: products, plans, addons, coupons, customers, quotes, invoices, expenses, subscriptions, taxes, transactions, recurring_expenses',
    );
  });

  it('rejects page sizes outside 1..200 with the API limit as the reason', () => {
    expect(problems({ ...base, pageSize: 201 })).toContain(
      'pageSize: expected 1..200: the billing API returns at most 200 records per page',
    );
    expect(problems({ ...base, pageSize: 0 })).toContain('pageSize: expected 1..200');
    expect(problems({ ...base, pageSize: 12.5 })).toContain('pageSize: expected a whole number');
    expect(problems({ ...base, pageSize: '100' })).toContain('pageSize: expected a number');
  });

  it('rejects unknown options and lists the allowed ones', () => {
    expect(problems({ ...base, page_size: 10 })).toMatch(
      /unknown option "page_size"; allowed: baseUrl, tokenUrl, /,
    );
  });

  it('requires absolute http(s) URLs', () => {
    const message = problems({ baseUrl: 'api.example.com', tokenUrl: 'ftp://x/token' });
    expect(message).toContain('baseUrl: expected an absolute http(s) URL');
    // The token URL's rules are the oauth2 schema's, reported at the option.
    expect(message).toContain('tokenUrl: must be an absolute https URL');
  });

  it("checks tokenUrl and headerScheme by the oauth2 schema's rules, naming the options", () => {
    const remote = problems({
      ...base,
      tokenUrl: 'http://accounts.example.com/token',
      allowInsecureHttp: true,
    });
    expect(remote).toContain('tokenUrl: must use https (plain http is allowed only for loopback hosts)');
    expect(problems({ ...base, tokenUrl: 'http://127.0.0.1:4011/token' })).toContain(
      'tokenUrl: uses plain http: set allowInsecureHttp: true to allow it for this loopback host',
    );
    const leaky = problems({ ...base, tokenUrl: 'https://user:pw-secret@accounts.example.com/token' });
    expect(leaky).toContain('tokenUrl: must not contain credentials; use clientId and clientSecret');
    expect(leaky).not.toContain('pw-secret');
    // Reported with the other options' problems, not after them.
    const both = problems({ ...base, baseUrl: 'nope', headerScheme: 'Zoho oauthtoken' });
    expect(both).toContain('baseUrl: expected an absolute http(s) URL');
    expect(both).toContain('headerScheme: must be one word such as Bearer or Zoho-oauthtoken');
  });

  it('reports every problem at once', () => {
    const message = problems({ ...base, pageSize: 500, resources: [], preset: 'real' });
    expect(message).toMatch(/3 problems/);
    expect(message).toContain('preset: expected "seed" or "real_api"');
    expect(message).toContain('resources: select at least one resource');
  });

  it('rejects overrides of unknown or unselected resources, and of unknown keys', () => {
    expect(problems({ ...base, overrides: { invocies: {} } })).toContain(
      'unknown resource "invocies"; expected one of:',
    );
    expect(
      problems({ ...base, resources: ['products'], overrides: { invoices: { primaryKey: 'invoice_id' } } }),
    ).toContain('overrides.invoices: overrides a resource that is not selected (selected: products)');
    expect(problems({ ...base, overrides: { invoices: { primary_key: 'x' } } })).toContain(
      'overrides.invoices: unknown option "primary_key"; allowed: primaryKey, writeDisposition, paginator',
    );
    expect(problems({ ...base, overrides: { invoices: { primaryKey: [] } } })).toContain(
      'overrides.invoices.primaryKey: expected a field name or a non-empty list of field names',
    );
  });

  it('rejects snapshot delete detection on an append resource', () => {
    expect(
      problems({
        ...base,
        overrides: {
          invoices: {},
          transactions: { writeDisposition: 'append', deleteDetection: 'snapshot' },
        },
      }),
    ).toContain('overrides.transactions.deleteDetection: snapshot delete detection needs a keyed resource');
  });

  it('rejects an Authorization header, bad header names and a header scheme with spaces', () => {
    expect(problems({ ...base, headers: { Authorization: 'Bearer x' } })).toContain(
      'Authorization is set by the OAuth2 auth',
    );
    expect(problems({ ...base, headers: { 'bad header': 'x' } })).toContain(
      'expected a valid HTTP header name',
    );
    expect(problems({ ...base, headerScheme: 'Zoho oauthtoken' })).toContain(
      'headerScheme: must be one word',
    );
  });

  it('never echoes a credential value in its message', () => {
    const message = problems({
      ...base,
      clientSecret: { value: 'hunter2-secret' },
      refreshToken: 1000.71234,
      clientId: '',
    });
    expect(message).toContain('clientSecret: expected a non-empty string or a secret reference');
    expect(message).toContain('refreshToken: expected a non-empty string or a secret reference');
    expect(message).toContain('clientId: expected a non-empty string or a secret reference');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('1000.71234');
  });
});

describe('the config in core', () => {
  it('core accepts it; each resource carries its key, disposition, schema and delete detection', () => {
    const source = restApiSource(
      billingSource({
        ...base,
        preset: 'real_api',
        overrides: { transactions: { writeDisposition: 'append' } },
      }),
      {
        authFactories: billingAuthFactories,
      },
    );
    const invoices = source.resources.find((r) => r.name === 'invoices');
    expect(invoices).toMatchObject({
      primaryKey: ['invoice_id'],
      writeDisposition: 'merge',
      deleteDetection: 'snapshot',
    });
    expect(invoices?.schema?.name).toBe('Invoice');
    const transactions = source.resources.find((r) => r.name === 'transactions');
    expect(transactions).toMatchObject({ writeDisposition: 'append', deleteDetection: 'none' });
    expect(source.resources).toHaveLength(12);
  });

  it('core reports a bad paginator override at its resource', () => {
    const config = billingSource({
      ...base,
      overrides: { coupons: { paginator: { type: 'page_numbr' } as never } },
    });
    expect(() => restApiSource(config, { authFactories: billingAuthFactories })).toThrow(
      /resources\[3\]\.endpoint\.paginator.*unknown paginator type "page_numbr"/s,
    );
  });

  it('without the oauth2 factory, core says which auth type is missing', () => {
    expect(() => restApiSource(billingSource(base))).toThrow(/oauth2/);
  });
});
