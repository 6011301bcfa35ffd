import { describe, expect, it } from 'vitest';
import { type KafkaSinkOptions, planTopics, resolveOptions, topicName } from '../../src/index.js';

const base: KafkaSinkOptions = {
  kafka: { brokers: ['127.0.0.1:9092'] },
  registry: { url: 'http://127.0.0.1:8081' },
};

describe('topicName', () => {
  it('renders the template', () => {
    expect(
      topicName('{prefix}.{source}.{resource}', {
        prefix: 'siphon',
        source: 'billing',
        resource: 'invoices',
      }),
    ).toBe('siphon.billing.invoices');
    expect(
      topicName('{pipeline}-{resource}', {
        prefix: 'p',
        pipeline: 'nightly',
        source: 's',
        resource: 'plans',
      }),
    ).toBe('nightly-plans');
  });

  it('rejects unknown placeholders and illegal topic names', () => {
    expect(() => topicName('{prefix}.{tenant}', { prefix: 'p', source: 's', resource: 'r' })).toThrow(
      /unknown placeholder \{tenant\}/,
    );
    expect(() => topicName('{prefix}/{resource}', { prefix: 'p', source: 's', resource: 'r' })).toThrow(
      /is "p\/r": a Kafka topic name is 1-249 characters/,
    );
  });
});

describe('resolveOptions', () => {
  it('fills documented defaults', () => {
    const o = resolveOptions(base);
    expect(o.topics).toMatchObject({
      template: '{prefix}.{source}.{resource}',
      prefix: 'siphon',
      stateTopic: 'siphon._state',
      deadLetterTopic: 'siphon._dlq',
      partitions: 1,
    });
    expect(o.transactions).toEqual({ boundary: { intervalMs: 1000 }, timeoutMs: 60_000 });
    expect(o.producer).toEqual({
      compression: 'zstd',
      batchBytes: 512 * 1024,
      lingerMs: 100,
      maxRecordBytes: 1_000_000,
      retries: 10,
      encodeWorkers: 0,
    });
    expect(o.transactionalIdPrefix).toBe('siphon');
    // The native client is built by this workspace's install (allowBuilds), so auto picks it.
    expect(o.kafka.client).toBe('confluent');
    expect(resolveOptions(o)).toBe(o);
  });

  it.each([
    [{ kafka: { brokers: [] } }, 'kafka.brokers must list at least one'],
    [{ kafka: { brokers: ['localhost'] } }, 'kafka.brokers: "localhost" is not "host:port"'],
    [{ registry: { url: '' } }, 'registry.url is required'],
    [{ topics: { configs: { 'cleanup.policy': 'delete' } } }, 'must not set cleanup.policy'],
    [{ topics: { partitions: 0 } }, 'topics.partitions must be a positive integer, got 0'],
    [{ transactions: { boundary: {} } }, 'transactions.boundary needs records, intervalMs or pages'],
    [{ transactions: { boundary: { intervalMs: 70_000 } } }, 'must be below transactions.timeoutMs (60000)'],
    [{ producer: { compression: 'lz4' } }, 'producer.compression "lz4" is not one of none, gzip, zstd'],
    [{ producer: { encodeWorkers: -1 } }, 'producer.encodeWorkers must be an integer from 0 to 64, got -1'],
    [{ kafka: { brokers: ['a:1'], sasl: { mechanism: 'gssapi' } } }, 'kafka.sasl.mechanism "gssapi"'],
    [
      { kafka: { brokers: ['a:1'], client: 'rdkafka' } },
      'kafka.client "rdkafka" is not one of auto, kafkajs, confluent',
    ],
  ])('rejects %j', (override, message) => {
    expect(() => resolveOptions({ ...base, ...(override as Partial<KafkaSinkOptions>) })).toThrow(message);
  });
});

describe('planTopics', () => {
  it('plans compacted topics for merge/replace, delete for append, with subjects and schemas', () => {
    const plan = planTopics(
      { ...base, topics: { prefix: 'acme', configs: { 'retention.ms': '1000' }, minInsyncReplicas: 2 } },
      {
        pipeline: 'p',
        source: 'billing',
        resources: [
          { name: 'invoices', primaryKey: ['id'], writeDisposition: 'merge' },
          { name: 'events', primaryKey: [], writeDisposition: 'append' },
        ],
      },
      { invoices: [{ id: '1', total: 2 }] },
    );
    expect(plan.resources.map((r) => [r.topic, r.cleanupPolicy, r.keySubject, r.valueSchemaSource])).toEqual([
      ['acme.billing.invoices', 'compact', 'acme.billing.invoices-key', 'inferred'],
      ['acme.billing.events', 'delete', 'acme.billing.events-key', 'at-first-write'],
    ]);
    expect(plan.resources[0]?.configs).toEqual({
      'retention.ms': '1000',
      'min.insync.replicas': '2',
      'cleanup.policy': 'compact',
    });
    expect(plan.resources[0]?.keySchema?.fields).toEqual([{ name: 'id', type: 'string' }]);
    expect(plan.resources[1]?.keySchema).toBeUndefined();
    expect(plan.stateTopic).toMatchObject({ topic: 'acme._state', cleanupPolicy: 'compact' });
    expect(plan.deadLetterTopic).toMatchObject({ topic: 'acme._dlq', cleanupPolicy: 'delete' });
  });

  it('refuses a merge resource without primary key (a compacted topic needs keys)', () => {
    expect(() =>
      planTopics(base, {
        pipeline: 'p',
        source: 's',
        resources: [{ name: 'things', primaryKey: [], writeDisposition: 'merge' }],
      }),
    ).toThrow('resource "things" is merge but has no primary key');
  });
});
