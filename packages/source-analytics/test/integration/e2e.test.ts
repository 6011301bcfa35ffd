/**
 * End to end: the analytics source against an in-process sandbox, through the real Kafka sink and
 * Schema Registry; every topic is read back and compared with the sandbox's ground truth.
 */
import { restApiSource, staticSecrets } from '@siphon/core';
import { type Sandbox, startSandbox } from '@siphon/sandbox';
import * as sinkKafka from '@siphon/sink-kafka';
import { createKafkaSink } from '@siphon/sink-kafka';
import {
  type CompactedView,
  expectConverged,
  expectSeedRunsConverge,
  infraConfig,
  runAndReadBack,
  sinkTopicReader,
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

describe('analytics source → Kafka, end to end', () => {
  let sb: Sandbox;
  const { reader, close: closeReader } = sinkTopicReader(sinkKafka);

  beforeAll(async () => {
    sb = await startSandbox({ seed: 5, size: 110, sizes: { analytics: { fees: 230 } } });
  });

  afterAll(async () => {
    await sb?.close();
    await closeReader();
  });

  async function run(prefix: string, options: Partial<AnalyticsSourceOptions> = {}): Promise<Run> {
    const names = options.resources ?? [...ANALYTICS_RESOURCE_NAMES];
    const config = analyticsSource({ baseUrl: sb.analyticsUrl, pageSize: 40, ...options });
    const source = restApiSource(config, {
      name: 'analytics',
      secrets: staticSecrets({ api_key: sb.credentials.apiKey }),
    });
    const sink = createKafkaSink({ kafka: { brokers }, registry: { url: registryUrl }, topics: { prefix } });
    const { views } = await runAndReadBack({
      source,
      sink,
      reader,
      prefix,
      api: 'analytics',
      names,
      declared: (name) => analyticsSchemaFor(name, [options.preset === 'real_api' ? 'lago_id' : 'id']),
      registryUrl,
    });
    return { views };
  }

  it('seed preset: every resource equals the ground truth, then converges after updates, deletes and inserts', async () => {
    await expectSeedRunsConverge({
      sb,
      api: 'analytics',
      prefix: uniqueName('e2e-analytics-seed'),
      run: async (prefix) => (await run(prefix)).views,
      counted: { name: 'fees', size: 230 },
      changes: {
        fees: { update: 10, delete: 6, insert: 8 },
        wallets: { update: 7, delete: 2 },
        customer_usage: { update: 5, insert: 3 },
        customer_usage_past: { delete: 4 },
        plans: { insert: 2 },
      },
      tombstoned: 'customer_usage_past',
      stamped: { name: 'wallets', field: 'updated_at' },
    });
  });

  it('real_api preset: topics keyed by lago_id equal the ground truth', async () => {
    const resources: AnalyticsResourceName[] = ['metrics', 'plans', 'customer_usage_past'];
    const result = await run(uniqueName('e2e-analytics-real'), { preset: 'real_api', resources });
    expect([...result.views.keys()]).toEqual(resources);
    await expectConverged(sb, 'analytics', result.views, () => 'lago_id');
  });
});
