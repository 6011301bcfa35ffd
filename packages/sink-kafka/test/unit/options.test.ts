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

  it('parses a config exactly as a pipelines file writes it', () => {
    const o = resolveOptions({
      kafka: { brokers: 'a:9092, b:9093', client: 'kafkajs', client_id: 'me', request_timeout: '1m' },
      registry: { url: 'http://reg:8081/', timeout: '5s' },
      topics: { prefix: 'acme', replication_factor: 2, configs: { 'retention.ms': 1000 } },
      sink: {
        transaction: { records: 500, interval: '2s', timeout: '30s' },
        linger: 0,
        schema_contract: 'freeze',
      },
    });
    expect(o.kafka).toMatchObject({ brokers: ['a:9092', 'b:9093'], client: 'kafkajs', clientId: 'me' });
    expect(o.kafka.requestTimeout).toBe(60_000);
    expect(o.registry).toEqual({ url: 'http://reg:8081', compatibility: 'BACKWARD', timeoutMs: 5000 });
    expect(o.topics).toMatchObject({
      prefix: 'acme',
      replicationFactor: 2,
      configs: { 'retention.ms': '1000' },
    });
    expect(o.transactions).toEqual({ boundary: { records: 500, intervalMs: 2000 }, timeoutMs: 30_000 });
    expect(o.producer.lingerMs).toBe(1);
    expect(o.schemaContract).toBe('freeze');
    expect(o.transactionalIdPrefix).toBe('acme');
    // Parsed once: the value is frozen, and resolving it again hands back the same one.
    expect(Object.isFrozen(o) && Object.isFrozen(o.kafka) && Object.isFrozen(o.producer)).toBe(true);
    expect(resolveOptions(o)).toBe(o);
  });

  it.each([
    [{ kafka: { brokers: [] } }, 'kafka.brokers: needs at least one broker'],
    [{ kafka: { brokers: ['localhost'] } }, 'kafka.brokers.0: each broker must be host:port'],
    [{ registry: { url: '' } }, 'registry.url: must be an http(s) URL'],
    [{ topics: { configs: { 'cleanup.policy': 'delete' } } }, 'topics.configs: must not set cleanup.policy'],
    [{ topics: { partitions: 0 } }, 'topics.partitions: must be at least 1'],
    [{ topics: { state_topic: 'a/b' } }, 'topics.state_topic: is not a Kafka topic name'],
    [
      { sink: { transaction: { interval: 70_000 } } },
      'sink.transaction.interval: must be below transaction.timeout (60000 ms)',
    ],
    [
      { sink: { compression: 'lz4' } },
      'sink.compression: Invalid option: expected one of "none"|"gzip"|"zstd"',
    ],
    [{ sink: { encode_workers: -1 } }, 'sink.encode_workers: expected 0 or more worker threads'],
    [{ sink: { schema_contract: 'loose' } }, 'sink.schema_contract: Invalid option'],
    [{ kafka: { brokers: ['a:1'], sasl: { mechanism: 'gssapi' } } }, 'kafka.sasl.mechanism: Invalid option'],
    [
      { kafka: { brokers: ['a:1'], client: 'rdkafka' } },
      'kafka.client: expected "auto", "confluent" or "kafkajs"',
    ],
    [{ kafka: { brokers: ['a:1'], clientId: 'camel' } }, 'kafka: unknown key(s) clientId'],
    [{ transactions: { boundary: { pages: 1 } } }, 'unknown key(s) transactions'],
  ])('rejects %j', (override, message) => {
    expect(() => resolveOptions({ ...base, ...(override as Partial<KafkaSinkOptions>) })).toThrow(message);
  });
});

describe('planTopics', () => {
  it('plans compacted topics for merge/replace, delete for append, with subjects and schemas', () => {
    const plan = planTopics(
      { ...base, topics: { prefix: 'acme', configs: { 'retention.ms': '1000' }, min_insync_replicas: 2 } },
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
