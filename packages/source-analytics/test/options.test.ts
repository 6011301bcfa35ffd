import { ConfigError, dlt, restApiSource, SecretRef } from '@siphon/core';
import { describe, expect, it } from 'vitest';
import {
  ANALYTICS_RESOURCE_NAMES,
  type AnalyticsSourceOptions,
  analyticsResources,
  analyticsSchemaFor,
  analyticsSource,
} from '../src/index.js';

const base = { baseUrl: 'https://api.getlago.com/api' };

type Resource = {
  name: string;
  primary_key?: unknown;
  write_disposition?: unknown;
  delete_detection?: unknown;
  schema?: unknown;
  endpoint: { path: string; data_selector: string; paginator: unknown };
};

function resources(options: Partial<AnalyticsSourceOptions> = {}): Resource[] {
  return analyticsSource({ ...base, ...options }).resources as Resource[];
}

function problems(options: unknown): string {
  try {
    analyticsSource(options as AnalyticsSourceOptions);
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return (error as Error).message;
  }
  throw new Error('expected analyticsSource() to reject the options');
}

describe('analyticsSource() options → config', () => {
  it('defaults to all eleven resources, cursor paging on meta.next_page of 100, bearer api_key', () => {
    const config = analyticsSource(base);
    expect(config.client).toEqual({
      base_url: base.baseUrl,
      auth: { type: 'bearer', token: dlt.secrets.api_key },
    });
    expect(config.resource_defaults).toEqual({ primary_key: 'id', write_disposition: 'merge' });
    const list = config.resources as Resource[];
    expect(list.map((r) => r.name)).toEqual([...ANALYTICS_RESOURCE_NAMES]);
    expect(list.map((r) => [r.endpoint.path, r.endpoint.data_selector])).toEqual(
      analyticsResources.map((r) => [r.path, r.dataSelector]),
    );
    for (const r of list) {
      expect(r.endpoint.paginator).toEqual({
        type: 'cursor',
        limit: 100,
        cursor_param: 'page',
        cursor_path: 'response.meta.next_page',
      });
    }
    expect(list.at(-1)?.endpoint).toMatchObject({
      path: '/v1/customer_usage_past',
      data_selector: 'usage_periods',
    });
  });

  it('takes the API key as a literal or a secret reference, and extra headers', () => {
    const literal = analyticsSource({ ...base, apiKey: 'key-1', headers: { 'X-Request-Source': 'siphon' } });
    expect(literal.client.auth).toEqual({ type: 'bearer', token: 'key-1' });
    expect(literal.client.headers).toEqual({ 'X-Request-Source': 'siphon' });
    const ref = analyticsSource({ ...base, apiKey: new SecretRef('lago_key') });
    expect((ref.client.auth as { token: SecretRef }).token.name).toBe('lago_key');
  });

  it('selects resources (in seed order) and sets the page size', () => {
    const list = resources({ resources: ['fees', 'metrics'], pageSize: 20 });
    expect(list.map((r) => r.name)).toEqual(['metrics', 'fees']);
    for (const r of list) expect((r.endpoint.paginator as { limit: number }).limit).toBe(20);
  });

  it('preset real_api keys every resource by lago_id and declares it required', () => {
    const config = analyticsSource({ ...base, preset: 'real_api' });
    expect(config.resource_defaults).toEqual({ write_disposition: 'merge' });
    for (const r of config.resources as Resource[]) {
      expect(r.primary_key).toBe('lago_id');
      expect(r.schema).toEqual(analyticsSchemaFor(r.name as 'fees', ['lago_id']));
    }
  });

  it('applies per-resource overrides, e.g. the real API path of metrics', () => {
    const list = resources({
      overrides: {
        metrics: { path: '/v1/billable_metrics', dataSelector: 'billable_metrics' },
        fees: { writeDisposition: 'append' },
        wallets: { deleteDetection: 'none', primaryKey: ['external_customer_id', 'currency'] },
        plans: { paginator: 'single_page' },
      },
    });
    const by = (name: string) => list.find((r) => r.name === name) as Resource;
    expect(by('metrics').endpoint).toMatchObject({
      path: '/v1/billable_metrics',
      data_selector: 'billable_metrics',
    });
    expect(by('fees')).toMatchObject({ write_disposition: 'append', delete_detection: 'none' });
    expect(by('wallets')).toMatchObject({
      delete_detection: 'none',
      primary_key: ['external_customer_id', 'currency'],
    });
    expect(by('plans').endpoint.paginator).toBe('single_page');
    expect(by('invoices').delete_detection).toBe('snapshot');
  });
});

describe('analyticsSource() schema contract', () => {
  it('sets the schema contract globally, and per resource', () => {
    const list = resources({
      schemaContract: 'discard_row',
      overrides: { fees: { schemaContract: 'evolve' } },
    });
    expect(list.find((r) => r.name === 'fees')).toMatchObject({ schema_contract: 'evolve' });
    expect(list.find((r) => r.name === 'plans')).toMatchObject({ schema_contract: 'discard_row' });
    expect(problems({ ...base, overrides: { fees: { schemaContract: 'loose' } } })).toContain(
      'overrides.fees.schemaContract: expected "evolve", "freeze", "discard_row" or "discard_value"',
    );
  });
});

describe('analyticsSource() bad options', () => {
  it('names an unknown resource and lists the valid ones', () => {
    expect(problems({ ...base, resources: ['usage'] })).toContain(
      'resources.0: unknown resource "usage"; expected one of: metrics, plans, coupons, add_ons, invoices, customers, subscriptions, wallets, customer_usage, fees, customer_usage_past',
    );
  });

  it('rejects page sizes outside 1..1000', () => {
    expect(problems({ ...base, pageSize: 1001 })).toContain('pageSize: expected 1..1000');
    expect(problems({ ...base, pageSize: -1 })).toContain('pageSize: expected 1..1000');
  });

  it('rejects unknown options, a missing base URL and an Authorization header', () => {
    expect(problems({ ...base, tokenUrl: 'https://x' })).toMatch(
      /unknown option "tokenUrl"; allowed: baseUrl, apiKey/,
    );
    expect(problems({})).toContain('baseUrl:');
    expect(problems({ ...base, headers: { authorization: 'Bearer x' } })).toContain('set apiKey instead');
  });

  it('rejects overrides of unselected resources and snapshot detection on append', () => {
    expect(problems({ ...base, resources: ['fees'], overrides: { plans: {} } })).toContain(
      'overrides.plans: overrides a resource that is not selected (selected: fees)',
    );
    expect(
      problems({ ...base, overrides: { fees: { writeDisposition: 'append', deleteDetection: 'snapshot' } } }),
    ).toContain('overrides.fees.deleteDetection: snapshot delete detection needs a keyed resource');
  });

  it('never echoes the API key in its message', () => {
    const message = problems({ ...base, apiKey: { key: 'lago-secret-123' } });
    expect(message).toContain('apiKey: expected a non-empty string or a secret reference');
    expect(message).not.toContain('lago-secret-123');
  });
});

describe('the config in core', () => {
  it('core accepts it; each resource carries its key, disposition, schema and delete detection', () => {
    const source = restApiSource(
      analyticsSource({ ...base, overrides: { fees: { writeDisposition: 'append' } } }),
    );
    const plans = source.resources.find((r) => r.name === 'plans');
    expect(plans).toMatchObject({
      primaryKey: ['id'],
      writeDisposition: 'merge',
      deleteDetection: 'snapshot',
    });
    expect(plans?.schema?.name).toBe('Plan');
    expect(source.resources.find((r) => r.name === 'fees')).toMatchObject({
      writeDisposition: 'append',
      deleteDetection: 'none',
    });
    expect(source.resources).toHaveLength(11);
  });

  it('core reports a bad paginator override at its resource', () => {
    const config = analyticsSource({
      ...base,
      overrides: { wallets: { paginator: { type: 'cursor', cursor_pth: 'x' } as never } },
    });
    expect(() => restApiSource(config)).toThrow(/resources\[7\]\.endpoint\.paginator.*cursor_pth/s);
  });
});
