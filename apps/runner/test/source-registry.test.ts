import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, defineRestApiSource, type SourcePlugin } from '@siphon/core';
import { analyticsSource } from '@siphon/source-analytics';
import { billingSource } from '@siphon/source-billing';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadPipelinesFile } from '../src/config/load.js';
import { UsageError } from '../src/errors.js';
import { restApiConfigOf } from '../src/pipeline/build-source.js';
import { sourcePlugins } from '../src/sources/built-in.js';
import { SourceRegistry } from '../src/sources/registry.js';

/** A source package of an embedding program: two resources of a made-up API. */
const things = defineRestApiSource({
  name: 'things',
  label: 'thingsSource() options',
  resourceNames: ['widgets', 'gadgets'] as const,
  maxPageSize: 50,
  authOptions: {},
  authorizationHeader: 'no Authorization header',
  resource: (name) => ({ path: `/${name}`, dataSelector: 'items', realIdField: `${name}_id` }),
  schemaFor: (name) => ({ type: 'record', name, fields: [{ name: 'id', type: 'string' }] }),
  paginator: (pageSize) => ({ type: 'offset', limit: pageSize }),
  defaultPageSize: 50,
  auth: () => ({ type: 'bearer', token: 'not-a-secret' }),
});

// The last test registers a plugin in the runner's process-wide registry, which has no way to
// remove one. Unit test files share their worker's modules (isolate: false), so drop them all
// afterwards: a later file then loads a fresh registry holding the built-ins only.
afterAll(() => {
  vi.resetModules();
});

describe('the source registry', () => {
  it('has the two built-ins, registered under their names, building what the packages build', () => {
    expect(sourcePlugins.names()).toEqual(['billing', 'analytics']);
    const billing = { baseUrl: 'https://b.example/v1', tokenUrl: 'https://b.example/token' };
    expect(sourcePlugins.get('billing', 'here').build(billing)).toEqual(billingSource(billing));
    const analytics = { baseUrl: 'https://a.example/api', pageSize: 20 };
    expect(sourcePlugins.get('analytics', 'here').build(analytics)).toEqual(analyticsSource(analytics));
  });

  it('names an unknown source where it was asked for, with the registered ones', () => {
    const error = (() => {
      try {
        sourcePlugins.get('stripe', 'pipeline p: source.package');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      'pipeline p: source.package: unknown source package "stripe": expected one of billing, analytics',
    );
  });

  it('refuses a second plugin under a taken name', () => {
    const registry = new SourceRegistry().register(things);
    expect(() => registry.register({ ...things } as SourcePlugin)).toThrow(
      'source package "things" is registered already',
    );
    expect(registry.names()).toEqual(['things']);
  });

  it('a registered plugin is a package a pipelines file may name, with its options checked', async () => {
    const registry = sourcePlugins.register(things);
    expect(registry.names()).toEqual(['billing', 'analytics', 'things']);
    const dir = await mkdtemp(path.join(tmpdir(), 'siphon-registry-'));
    const file = path.join(dir, 'p.yaml');
    const pipelines = (options: string) => `
pipelines:
  - name: mine
    kafka: { brokers: [127.0.0.1:1] }
    registry: { url: http://127.0.0.1:1 }
    source:
      package: things
      options: { base_url: https://things.example, ${options} }
`;
    await writeFile(file, pipelines('resources: [gadgets], page_size: 10'));
    const loaded = await loadPipelinesFile(file, { env: {} });
    const pipeline = loaded.pipelines[0];
    if (!pipeline) throw new Error('no pipeline');
    const { config } = await restApiConfigOf(pipeline);
    expect(config).toMatchObject({
      client: { base_url: 'https://things.example' },
      resources: [{ name: 'gadgets', endpoint: { path: '/gadgets', paginator: { limit: 10 } } }],
    });
    expect(() => things.build({ baseUrl: 'https://t.example', pageSize: 51 })).toThrow(ConfigError);

    await writeFile(file, pipelines('page_size: 51'));
    await expect(loadPipelinesFile(file, { env: {} })).rejects.toThrow(
      `${file}:8:63: pipelines[0].source.options.page_size: expected 1..50`,
    );
  });
});
