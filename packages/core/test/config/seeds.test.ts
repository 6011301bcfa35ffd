import { readFileSync } from 'node:fs';
import { catalog } from '@siphon/sandbox';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import type { AuthFactory } from '../../src/contracts.js';
import { rest_api_source } from '../../src/engine/source.js';
import { SecretRef } from '../../src/secrets/secret.js';
import { type SeedApi, seedConfig, seedDocument, seedDocumentName, seedPython } from '../helpers/seeds.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const oauth2: AuthFactory = () => ({ apply: async () => {}, describe: () => 'oauth2' });
const authFactories = { oauth2 };

describe.each(['billing', 'analytics'] as SeedApi[])('the %s seed', (seed) => {
  const fromPython = validateConfig(seedPython(seed), {
    source: `${seed}-source.py`,
    authFactories,
  });

  it('parses verbatim from the Python text, and the same from JSON, YAML and a TS object', () => {
    const fromJson = validateConfig(fixture(`${seed}-source.json`), {
      source: `${seed}-source.json`,
      authFactories,
    });
    const fromYaml = validateConfig(fixture(`${seed}-source.yaml`), {
      source: `${seed}-source.yaml`,
      authFactories,
    });
    const fromTs = rest_api_source(seedConfig(seed), { authFactories }).config;
    expect(fromJson).toEqual(fromPython);
    expect(fromYaml).toEqual(fromPython);
    expect(fromTs).toEqual(fromPython);
  });

  it('parses from the seed document itself (Markdown around the Python)', () => {
    expect(validateConfig(seedDocument(seed), { source: seedDocumentName(seed), authFactories })).toEqual(
      fromPython,
    );
  });

  it('applies resource_defaults to every resource', () => {
    for (const resource of fromPython.resources) {
      expect(resource.primaryKey).toEqual(['id']);
      expect(resource.writeDisposition).toBe('merge');
      expect(resource.selected).toBe(true);
    }
  });
});

describe('seed specifics', () => {
  it('keeps the billing paginator and oauth2 secrets as references', () => {
    const config = validateConfig(seedPython('billing'), { authFactories });
    // The emulator's model of the API, written apart from the seed: names, paths and envelope keys.
    expect(config.resources.map((r) => [r.name, r.endpoint.path, r.endpoint.dataSelector])).toEqual(
      catalog.billing.resources.map((r) => [r.name, r.path, r.dataKey]),
    );
    expect(config.resources[0]!.endpoint.paginator).toEqual({
      type: 'page_number',
      page_param: 'page',
      limit_param: 'per_page',
      limit: 200,
    });
    expect(config.client.auth).toEqual({
      type: 'oauth2',
      client_id: new SecretRef('client_id'),
      client_secret: new SecretRef('client_secret'),
      refresh_token: new SecretRef('refresh_token'),
      token_url: 'https://accounts.example.com/oauth/v2/token',
    });
  });

  it('keeps the analytics Airbyte-style cursor path', () => {
    const config = validateConfig(seedPython('analytics'));
    expect(config.resources.find((r) => r.name === 'customer_usage_past')?.endpoint).toMatchObject({
      path: '/v1/customer_usage_past',
      dataSelector: 'usage_periods',
      paginator: { type: 'cursor', limit: 100, cursor_param: 'page', cursor_path: 'response.meta.next_page' },
    });
    expect(config.client.auth).toEqual({ type: 'bearer', token: new SecretRef('api_key') });
  });
});
