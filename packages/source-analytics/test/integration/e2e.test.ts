/**
 * End to end: the analytics source against an in-process sandbox, through the real Kafka sink and
 * Schema Registry; every topic is read back and compared with the sandbox's ground truth.
 */
import { restApiSource, staticSecrets } from '@siphon/core';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import { createKafkaPort, createKafkaSink, readTopicOnce, resolveConnection } from '@siphon/sink-kafka';
import {
  type CompactedView,
  groundTruthByKey,
  infraConfig,
  latestValueSchema,
  runAndReadBack,
  TopicReader,
  uniqueName,
} from '@siphon/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANALYTICS_RESOURCE_NAMES,
  type AnalyticsResourceName,
  type AnalyticsSourceOptions,
  analyticsSchemaFor,
  analyticsSource,
} from '../../src/index.js';

const { brokers, registryUrl } = infraConfig();

interface Run {
  views: Map<AnalyticsResourceName, CompactedView>;
}

async function expectConverged(sb: Sandbox, run: Run, keyField: string): Promise<void> {
  for (const name of run.views.keys()) {
    const expected = await groundTruthByKey(sb, 'analytics', name, keyField);
    const view = run.views.get(name) as CompactedView;
    expect([...view.values.keys()].sort(), `${name}: keys`).toEqual([...expected.keys()].sort());
    for (const [key, record] of expected) expect(view.values.get(key), `${name} ${key}`).toEqual(record);
  }
}

describe('analytics source → Kafka, end to end', () => {
  let sb: Sandbox;
  // The sink's port lists the topics and reads their bytes; the view decodes them on its own.
  const port = createKafkaPort({ kafka: resolveConnection({ brokers }), producer: { retries: 5 } });
  const reader = new TopicReader(
    {
      listTopics: async () => (await port.admin()).listTopics(),
      readCommitted: (topic, onMessage) =>
        readTopicOnce({ kafka: resolveConnection({ brokers }) }, topic, onMessage, { decode: false }),
    },
    registryUrl,
  );

  beforeAll(async () => {
    sb = await startSandbox({ seed: 5, size: 110, sizes: { analytics: { fees: 230 } } });
  });

  afterAll(async () => {
    await sb?.close();
    await port.close();
  });

  async function run(prefix: string, options: Partial<AnalyticsSourceOptions> = {}): Promise<Run> {
    const names = options.resources ?? [...ANALYTICS_RESOURCE_NAMES];
    const config = analyticsSource({ baseUrl: sb.analyticsUrl, pageSize: 40, ...options });
    const source = restApiSource(config, {
      name: 'analytics',
      secrets: staticSecrets({ api_key: sb.credentials.apiKey }),
    });
    const sink = createKafkaSink({ kafka: { brokers }, registry: { url: registryUrl }, topics: { prefix } });
    const { results, topics, views } = await runAndReadBack({
      source,
      sink,
      reader,
      prefix,
      api: 'analytics',
      names,
    });
    expect(results.map((r) => r.resource).sort()).toEqual([...names].sort());
    for (const result of results) expect(result.complete, result.resource).toBe(true);
    for (const name of names)
      expect(topics, 'one topic per resource').toContain(`${prefix}.analytics.${name}`);
    const keyField = options.preset === 'real_api' ? 'lago_id' : 'id';
    for (const name of names) {
      const registered = await latestValueSchema(registryUrl, `${prefix}.analytics.${name}`);
      const declared = analyticsSchemaFor(name, [keyField]);
      expect(`${registered.namespace}.${registered.name}`, name).toBe(
        `${declared.namespace}.${declared.name}`,
      );
      expect(
        registered.fields.map((f) => f.name),
        name,
      ).toEqual(declared.fields.map((f) => f.name));
    }
    const deadLetters = topics.includes(`${prefix}._dlq`)
      ? await reader.compacted(`${prefix}._dlq`)
      : undefined;
    expect(deadLetters?.messages ?? 0, 'dead-letter messages').toBe(0);
    return { views };
  }

  it('seed preset: every resource equals the ground truth, then converges after updates, deletes and inserts', async () => {
    const prefix = uniqueName('e2e-analytics-seed');
    const first = await run(prefix);
    await expectConverged(sb, first, 'id');
    expect(first.views.get('fees')?.values.size).toBe(230);

    const changes = {
      fees: await sb.mutate('analytics', 'fees', { update: 10, delete: 6, insert: 8 }),
      wallets: await sb.mutate('analytics', 'wallets', { update: 7, delete: 2 }),
      customer_usage: await sb.mutate('analytics', 'customer_usage', { update: 5, insert: 3 }),
      customer_usage_past: await sb.mutate('analytics', 'customer_usage_past', { delete: 4 }),
      plans: await sb.mutate('analytics', 'plans', { insert: 2 }),
    };
    const second = await run(prefix);
    await expectConverged(sb, second, 'id');

    const fees = second.views.get('fees') as CompactedView;
    for (const id of changes.fees.deleted) expect(fees.values.has(JSON.stringify({ id }))).toBe(false);
    for (const id of changes.fees.inserted) expect(fees.values.has(JSON.stringify({ id }))).toBe(true);
    expect(fees.values.size).toBe(230 - 6 + 8);
    const past = second.views.get('customer_usage_past') as CompactedView;
    expect(past.tombstones).toBeGreaterThanOrEqual(changes.customer_usage_past.deleted.length);
    const wallet = second.views
      .get('wallets')
      ?.values.get(JSON.stringify({ id: changes.wallets.updated[0] }));
    expect(wallet?.updated_at).not.toBe(
      first.views.get('wallets')?.values.get(JSON.stringify({ id: changes.wallets.updated[0] }))?.updated_at,
    );
  });

  it('real_api preset: topics keyed by lago_id equal the ground truth', async () => {
    const resources: AnalyticsResourceName[] = ['metrics', 'plans', 'customer_usage_past'];
    const result = await run(uniqueName('e2e-analytics-real'), { preset: 'real_api', resources });
    expect([...result.views.keys()]).toEqual(resources);
    await expectConverged(sb, result, 'lago_id');
  });
});
