import { describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { applyOverrides, packageOptions } from '../src/pipeline/source-config.js';

const seed = {
  client: { base_url: 'https://api.example.com', auth: { type: 'bearer', token: 'x' } },
  resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
  resources: [
    { name: 'metrics', endpoint: { path: '/v1/metrics' } },
    { name: 'fees', endpoint: { path: '/v1/fees' } },
  ],
};

describe('rest_api overrides', () => {
  it('deep-merge over the seed and leave the rest as written', () => {
    const out = applyOverrides(seed, { client: { base_url: 'http://127.0.0.1:9' } }, 'pipelines[0].source');
    expect(out.client).toEqual({ base_url: 'http://127.0.0.1:9', auth: { type: 'bearer', token: 'x' } });
    expect(out.resources).toEqual(seed.resources);
  });

  it('change one resource by name', () => {
    const out = applyOverrides(seed, { resources: { fees: { write_disposition: 'append' } } }, 'p');
    expect(out.resources).toEqual([
      { name: 'metrics', endpoint: { path: '/v1/metrics' } },
      { name: 'fees', endpoint: { path: '/v1/fees' }, write_disposition: 'append' },
    ]);
  });

  it('name the resource that does not exist', () => {
    expect(() => applyOverrides(seed, { resources: { feez: {} } }, 'pipelines[1].source')).toThrow(
      new UsageError(
        'pipelines[1].source.overrides.resources.feez: no such resource (the config has metrics, fees)',
      ),
    );
  });
});

describe('source package options', () => {
  it('turn snake_case option names into camelCase, but keep header and resource names', () => {
    expect(
      packageOptions({
        base_url: 'u',
        token_url: 't',
        allow_insecure_http: true,
        headers: { 'X-org_id': '1' },
        overrides: { recurring_expenses: { write_disposition: 'append', primary_key: 'id' } },
      }),
    ).toEqual({
      baseUrl: 'u',
      tokenUrl: 't',
      allowInsecureHttp: true,
      headers: { 'X-org_id': '1' },
      overrides: { recurring_expenses: { writeDisposition: 'append', primaryKey: 'id' } },
    });
  });
});
