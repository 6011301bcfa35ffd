import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infraConfig, uniqueName } from '../src/index.js';

const { brokers, registryUrl } = infraConfig();
const kafka = new Kafka({ clientId: 'testkit-infra-test', brokers, logLevel: logLevel.NOTHING });
let admin: Admin;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

async function createCompactedTopic(topic: string) {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
  });
}

async function readCommitted(topic: string, expected: number, idleMs = 3000) {
  const consumer = kafka.consumer({ groupId: uniqueName('testkit-reader'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen: Array<{ key: string; value: string }> = [];
  let lastMessageAt = Date.now();
  await consumer.run({
    eachMessage: async ({ message }) => {
      lastMessageAt = Date.now();
      seen.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
    },
  });
  const started = Date.now();
  while (seen.length < expected || Date.now() - lastMessageAt < idleMs) {
    if (Date.now() - started > 30_000) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await consumer.disconnect();
  return seen;
}

describe('the local Kafka and Schema Registry', () => {
  it('commits keyed records to a compacted topic in a transaction, visible to read_committed', async () => {
    const topic = uniqueName('testkit.committed');
    await createCompactedTopic(topic);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');

    const producer = kafka.producer({
      transactionalId: uniqueName('testkit-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const tx = await producer.transaction();
    await tx.send({
      topic,
      acks: -1,
      messages: [
        { key: 'a', value: 'one' },
        { key: 'b', value: 'two' },
      ],
    });
    await tx.commit();
    await producer.disconnect();

    const seen = await readCommitted(topic, 2, 500);
    expect(seen).toEqual([
      { key: 'a', value: 'one' },
      { key: 'b', value: 'two' },
    ]);
  });

  it('hides an aborted transaction from read_committed', async () => {
    const topic = uniqueName('testkit.aborted');
    await createCompactedTopic(topic);
    const producer = kafka.producer({
      transactionalId: uniqueName('testkit-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic, acks: -1, messages: [{ key: 'gone', value: 'never visible' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic, acks: -1, messages: [{ key: 'kept', value: 'visible' }] });
    await committed.commit();
    await producer.disconnect();

    const seen = await readCommitted(topic, 1);
    expect(seen).toEqual([{ key: 'kept', value: 'visible' }]);
  });

  it('registers an Avro schema and serves it back by id', async () => {
    const registry = new SchemaRegistry({ host: registryUrl });
    const subject = `${uniqueName('testkit')}-value`;
    const schema = {
      type: 'record',
      name: 'Probe',
      namespace: 'siphon.testkit',
      fields: [{ name: 'id', type: 'string' }],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject },
    );
    const fetched = JSON.parse(await registry.getSchema(id).then((s) => JSON.stringify(s)));
    expect(fetched.name).toBe('siphon.testkit.Probe');
    const encoded = await registry.encode(id, { id: 'x-1' });
    expect(encoded[0]).toBe(0);
    expect(encoded.readUInt32BE(1)).toBe(id);
    expect(await registry.decode(encoded)).toEqual({ id: 'x-1' });
  });
});
