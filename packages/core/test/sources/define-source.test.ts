import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { ConfigError } from '../../src/errors/config-error.js';
import { SecretRef } from '../../src/secrets/secret.js';
import { defineRestApiSource } from '../../src/sources/define-source.js';
import type { PackagedSourceOptions } from '../../src/sources/options.js';
import { sourceOptionSchemas } from '../../src/sources/options.js';
import { readSeedConfig } from '../../src/sources/seed-file.js';

const NAMES = ['widgets', 'gadgets'] as const;
type Name = (typeof NAMES)[number];
interface ThingsOptions extends PackagedSourceOptions<Name> {
  token?: string | SecretRef;
}

/** A made-up API: the data a source package gives, and nothing else. */
const things = defineRestApiSource({
  name: 'things',
  label: 'thingsSource() options',
  resourceNames: NAMES,
  maxPageSize: 50,
  maxPageSizeReason: 'the things API sends at most 50',
  authOptions: { token: sourceOptionSchemas.secretInput.optional() },
  authorizationHeader: 'Authorization carries the token',
  resource: (name: Name) => ({ path: `/${name}`, dataSelector: 'items', realIdField: `${name}_id` }),
  schemaFor: (name, keyFields) => ({
    type: 'record',
    name,
    doc: `Primary key: ${keyFields.join(', ')}.`,
    fields: [{ name: 'id', type: 'string' }],
  }),
  paginator: (pageSize) => ({ type: 'offset', limit: pageSize }),
  defaultPageSize: 25,
  auth: (o: ThingsOptions) => ({ type: 'bearer', token: o.token ?? new SecretRef('things_token') }),
});

const problems = (options: unknown) => {
  try {
    things.parseOptions(options);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
};

describe('defineRestApiSource', () => {
  it('with only the base URL: every resource, the seed paginator, keyed by id, snapshot delete detection', () => {
    const config = things.build({ baseUrl: 'https://things.example' });
    expect(things.name).toBe('things');
    expect(config).toEqual({
      client: {
        base_url: 'https://things.example',
        auth: { type: 'bearer', token: new SecretRef('things_token') },
      },
      resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
      resources: NAMES.map((name) => ({
        name,
        endpoint: { path: `/${name}`, data_selector: 'items', paginator: { type: 'offset', limit: 25 } },
        delete_detection: 'snapshot',
        schema: { type: 'record', name, doc: 'Primary key: id.', fields: [{ name: 'id', type: 'string' }] },
      })),
    });
    expect(() => validateConfig(config)).not.toThrow();
  });

  it('real_api keys by the real id field; overrides and selection apply per resource, in the seed order', () => {
    const config = things.build({
      baseUrl: 'https://things.example',
      preset: 'real_api',
      resources: ['gadgets', 'widgets'],
      pageSize: 10,
      schemaContract: 'freeze',
      headers: { 'X-Org': 'o1' },
      overrides: {
        gadgets: { writeDisposition: 'append', path: '/v2/gadgets', schemaContract: 'evolve', pagesAhead: 1 },
      },
    });
    expect(config.resource_defaults).toEqual({ write_disposition: 'merge' });
    expect(config.client.headers).toEqual({ 'X-Org': 'o1' });
    expect(config.resources).toMatchObject([
      { name: 'widgets', primary_key: 'widgets_id', delete_detection: 'snapshot', schema_contract: 'freeze' },
      {
        name: 'gadgets',
        primary_key: 'gadgets_id',
        write_disposition: 'append',
        delete_detection: 'none',
        schema_contract: 'evolve',
        pages_ahead: 1,
        endpoint: { path: '/v2/gadgets', paginator: { limit: 10 } },
        schema: { doc: 'Primary key: gadgets_id.' },
      },
    ]);
  });

  it("reports every bad option at once, in the package's words, listing the allowed keys in order", () => {
    const message = problems({ baseUrl: 'x', pageSize: 51, resources: ['gizmos'], colour: 'red' });
    expect(message).toContain('thingsSource() options');
    expect(message).toContain('baseUrl: expected an absolute http(s) URL');
    expect(message).toContain('pageSize: expected 1..50: the things API sends at most 50');
    expect(message).toContain('resources.0: unknown resource "gizmos"; expected one of: widgets, gadgets');
    expect(message).toContain(
      'unknown option "colour"; allowed: baseUrl, token, headers, resources, pageSize, preset, deleteDetection, schemaContract, overrides',
    );
    expect(problems({ baseUrl: 'https://t.example', headers: { authorization: 'x' } })).toContain(
      'Authorization carries the token',
    );
    expect(problems({ baseUrl: 'https://t.example', overrides: { widgets: { pagesAhead: 17 } } })).toContain(
      'overrides.widgets.pagesAhead: expected a whole number from 0 to 16',
    );
    expect(problems({ baseUrl: 'https://t.example', token: '' })).toContain(
      'token: expected a non-empty string or a secret reference',
    );
  });
});

describe('readSeedConfig', () => {
  it('reads a dlt Python seed file with secret references', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'siphon-seed-'));
    const file = path.join(dir, 'seed.py');
    await writeFile(
      file,
      'import dlt\nsource = rest_api_source({"client": {"base_url": "https://x.example", "auth": {"type": "bearer", "token": dlt.secrets["k"]}}, "resources": ["a"]})\n',
    );
    expect(readSeedConfig(file)).toEqual({
      client: { base_url: 'https://x.example', auth: { type: 'bearer', token: new SecretRef('k') } },
      resources: ['a'],
    });
  });

  it('names the file and line of a syntax error', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'siphon-seed-'));
    const file = path.join(dir, 'bad.py');
    await writeFile(file, 'source = rest_api_source({\n  "client": {"base_url": }\n})\n');
    let message = '';
    try {
      readSeedConfig(new URL(`file://${file}`));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`Invalid rest_api config in ${file}`);
    expect(message).toContain('(line 2): expected a value, found "}"');
  });
});
