import { uniqueName } from '@siphon/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createKafkaSink, ensureTopics, type KafkaSink, planTopics } from '../../src/index.js';
import { resource, testOptions, withPort } from './helpers.js';

const sinks: KafkaSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

async function configsOf(topic: string): Promise<Record<string, string>> {
  return withPort(async (admin) => {
    const described = await admin.topicConfigs([topic], ['cleanup.policy', 'retention.ms']);
    return described.get(topic) ?? {};
  });
}

describe('topics', () => {
  it('creates compacted topics for merge and replace, delete-policy topics for append, with the configured extras', async () => {
    const options = testOptions({
      topics: { prefix: uniqueName('sk'), configs: { 'retention.ms': '3600000' } },
    });
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const context = { pipeline: 'p', source: 'billing', runId: 'r1' };
    for (const r of [
      resource({ name: 'merged' }),
      resource({ name: 'replaced', writeDisposition: 'replace' }),
      resource({ name: 'appended', writeDisposition: 'append', primaryKey: [] }),
    ]) {
      const writer = await sink.open(r, context);
      await writer.abort('not needed');
    }
    const prefix = options.topics?.prefix;
    expect(await configsOf(`${prefix}.billing.merged`)).toMatchObject({
      'cleanup.policy': 'compact',
      'retention.ms': '3600000',
    });
    expect((await configsOf(`${prefix}.billing.replaced`))['cleanup.policy']).toBe('compact');
    expect((await configsOf(`${prefix}.billing.appended`))['cleanup.policy']).toBe('delete');
    expect((await configsOf(`${prefix}._state`))['cleanup.policy']).toBe('compact');
    expect((await configsOf(`${prefix}._dlq`))['cleanup.policy']).toBe('delete');
    const created = options.seen
      .filter((e) => e.type === 'topic_created')
      .map((e) => e.type === 'topic_created' && e.topic);
    expect(created.sort()).toEqual(
      [
        `${prefix}.billing.merged`,
        `${prefix}.billing.replaced`,
        `${prefix}.billing.appended`,
        `${prefix}._state`,
        `${prefix}._dlq`,
      ].sort(),
    );
  });

  it('refuses to write merge data into an existing delete-policy topic, and append data into a compacted one', async () => {
    const options = testOptions();
    const prefix = options.topics?.prefix as string;
    await withPort((admin) =>
      admin.createTopics([
        { topic: `${prefix}.billing.invoices`, partitions: 1, replicationFactor: 1, configs: {} },
        {
          topic: `${prefix}.billing.events`,
          partitions: 1,
          replicationFactor: 1,
          configs: { 'cleanup.policy': 'compact' },
        },
      ]),
    );
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const context = { pipeline: 'p', source: 'billing', runId: 'r1' };
    await expect(sink.open(resource(), context)).rejects.toMatchObject({
      code: 'TOPIC_POLICY_CONFLICT',
      message: `topic "${prefix}.billing.invoices" (resource invoices) exists with cleanup.policy=delete, but needs cleanup.policy=compact: it holds the latest value per key, which only compaction (without deletion by age) keeps. Change the topic's policy, or point the resource at another topic (topics.template / topics.prefix).`,
    });
    await expect(
      sink.open(resource({ name: 'events', writeDisposition: 'append', primaryKey: [] }), context),
    ).rejects.toMatchObject({
      code: 'TOPIC_POLICY_CONFLICT',
      message: expect.stringContaining('exists with cleanup.policy=compact, but needs cleanup.policy=delete'),
    });
  });

  it('ensureTopics without apply only reports, and checks policies of what exists', async () => {
    const options = testOptions();
    const plan = planTopics(options, {
      pipeline: 'p',
      source: 'billing',
      resources: [resource()],
    });
    const dry = await withPort((admin) => ensureTopics(admin, plan, { apply: false }));
    expect(dry.map((r) => r.action)).toEqual(['would-create', 'would-create', 'would-create']);
    const applied = await withPort((admin) => ensureTopics(admin, plan, { apply: true }));
    expect(applied.map((r) => r.action)).toEqual(['created', 'created', 'created']);
    const again = await withPort((admin) =>
      ensureTopics(admin, [...plan.resources, plan.stateTopic, plan.deadLetterTopic], { apply: true }),
    );
    expect(again.map((r) => r.action)).toEqual(['exists', 'exists', 'exists']);
    const conflicting = { ...plan.deadLetterTopic, cleanupPolicy: 'compact' as const };
    await expect(
      withPort((admin) => ensureTopics(admin, [conflicting], { apply: false })),
    ).rejects.toMatchObject({
      code: 'TOPIC_POLICY_CONFLICT',
    });
  });

  it('names the unreachable broker and registry in connection errors', async () => {
    const sink = createKafkaSink(
      testOptions({
        kafka: { brokers: ['127.0.0.1:1'], connection_timeout: 500, request_timeout: 1000 },
        sink: { retries: 1 },
      }),
    );
    sinks.push(sink);
    await expect(sink.open(resource(), { pipeline: 'p', source: 's', runId: 'r' })).rejects.toMatchObject({
      code: 'KAFKA_CONNECTION',
      message: expect.stringContaining('Kafka brokers 127.0.0.1:1 failed'),
    });
    const badRegistry = createKafkaSink(
      testOptions({ registry: { url: 'http://127.0.0.1:1/apis/ccompat/v7', attempts: 1 } }),
    );
    sinks.push(badRegistry);
    await expect(
      badRegistry.open(resource(), { pipeline: 'p', source: 's', runId: 'r' }),
    ).rejects.toMatchObject({
      code: 'REGISTRY',
      message: expect.stringContaining('schema registry http://127.0.0.1:1/apis/ccompat/v7 unreachable'),
    });
  });
});
