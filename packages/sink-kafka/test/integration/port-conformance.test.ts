/**
 * One conformance suite for every adapter behind the Kafka port, on the real broker: what the
 * writer, the state log and the runner rely on must hold whatever client runs underneath.
 */
import { infraConfig, uniqueName } from '@siphon/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createKafkaPort,
  ensureTopics,
  isFencedError,
  KAFKA_CLIENTS,
  type KafkaClientName,
  type KafkaPort,
  resolveConnection,
  type WrittenOffset,
} from '../../src/index.js';
import { PageBuilder } from '../../src/packed.js';
import { scanTopics, TopicTail } from '../../src/reader.js';

function portFor(client: KafkaClientName): KafkaPort {
  return createKafkaPort({
    kafka: resolveConnection({ brokers: infraConfig().brokers, client_id: `conformance-${client}`, client }),
    producer: { retries: 5 },
  });
}

async function topic(port: KafkaPort, partitions = 3): Promise<string> {
  const name = uniqueName('conformance');
  await ensureTopics(
    await port.admin(),
    [
      {
        topic: name,
        cleanupPolicy: 'compact',
        partitions,
        replicationFactor: 1,
        configs: { 'cleanup.policy': 'compact' },
        purpose: 'conformance',
      },
    ],
    { apply: true },
  );
  return name;
}

/** Reads the topic back, including what `written` names (a commit's markers may land after it returns). */
async function readAll(port: KafkaPort, name: string, written: readonly WrittenOffset[] = []) {
  const out: Array<{ partition: number; key: string; value: string | null; run: string | undefined }> = [];
  await scanTopics(
    port,
    name,
    (m) => {
      const run = m.headers['siphon.run'];
      out.push({
        partition: m.partition,
        key: m.key?.toString() ?? '',
        value: m.value?.toString() ?? null,
        run: run === undefined ? undefined : String(run),
      });
    },
    { name: 'conformance', brokers: infraConfig().brokers, timeoutMs: 60_000, written },
  );
  return out;
}

const message = (key: string, value: string | null) => ({
  key: Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers: { 'siphon.run': 'r1' },
});

describe.each(KAFKA_CLIENTS.map((client) => ({ client })))('Kafka port on $client', ({ client }) => {
  const port = portFor(client);
  afterAll(() => port.close());

  it('shows a transaction to read_committed readers once committed, never an aborted one', async () => {
    const name = await topic(port);
    const producer = port.transactionalProducer({
      transactionalId: uniqueName(`conf-${client}`),
      transactionTimeoutMs: 60_000,
      retries: 5,
      compression: 'zstd',
    });
    let written: WrittenOffset[] = [];
    await producer.init();
    try {
      const aborted = await producer.begin();
      await aborted.send([{ topic: name, messages: [message('a', 'aborted')] }], {
        compression: 'zstd',
        timeoutMs: 30_000,
      });
      await aborted.abort();
      const committed = await producer.begin();
      await committed.send([{ topic: name, messages: [message('a', '1'), message('b', null)] }], {
        compression: 'zstd',
        timeoutMs: 30_000,
      });
      written = await committed.commit();
    } finally {
      await producer.close();
    }
    const read = await readAll(port, name, written);
    expect(
      read.map(({ key, value, run }) => ({ key, value, run })).sort((x, y) => x.key.localeCompare(y.key)),
    ).toEqual([
      { key: 'a', value: '1', run: 'r1' },
      { key: 'b', value: null, run: 'r1' },
    ]);
  });

  it('writes a packed page (one buffer, offsets) like the same messages one by one, in order, to the key partitions', async () => {
    const name = await topic(port, 3);
    const keys = ['p-1', 'p-2', 'p-3', 'p-1', 'p-4'];
    const builder = new PageBuilder(8, 1);
    keys.forEach((key, i) => {
      const [ks, ke] = builder.write((b, o) =>
        o + key.length > b.length ? b.length - o - key.length : o + b.write(key, o),
      );
      if (i === 4) builder.add(ks, ke, -1, -1);
      else {
        const value = `v${i}`;
        const [vs, ve] = builder.write((b, o) =>
          o + value.length > b.length ? b.length - o - value.length : o + b.write(value, o),
        );
        builder.add(ks, ke, vs, ve);
      }
    });
    const packed = builder.finish({ 'siphon.run': 'r1' });
    const producer = port.transactionalProducer({
      transactionalId: uniqueName(`packed-${client}`),
      transactionTimeoutMs: 60_000,
      retries: 5,
    });
    let written: WrittenOffset[] = [];
    await producer.init();
    try {
      const txn = await producer.begin();
      await txn.send(
        [
          { topic: name, messages: [message('p-0', 'first')] },
          { topic: name, packed },
          { topic: name, messages: [message('p-2', 'last')] },
        ],
        { compression: 'none', timeoutMs: 30_000 },
      );
      written = await txn.commit();
    } finally {
      await producer.close();
    }
    const read = await readAll(port, name, written);
    const byKey = (key: string) => read.filter((m) => m.key === key).map((m) => m.value);
    expect(byKey('p-0')).toEqual(['first']);
    expect(byKey('p-1')).toEqual(['v0', 'v3']);
    expect(byKey('p-2')).toEqual(['v1', 'last']);
    expect(byKey('p-4')).toEqual([null]);
    expect(new Set(read.map((m) => m.run))).toEqual(new Set(['r1']));
    // The same partition as a message sent on its own.
    const plain = await topic(port, 3);
    const single = port.producer();
    try {
      await single.send(
        plain,
        keys.map((k) => message(k, 'x')),
      );
    } finally {
      await single.close();
    }
    const partitionOf = new Map((await readAll(port, plain)).map((m) => [m.key, m.partition]));
    for (const m of read) if (m.key !== 'p-0') expect(m.partition).toBe(partitionOf.get(m.key));
  });

  it('fences an older producer of the same transactional id', async () => {
    const name = await topic(port, 1);
    const id = uniqueName(`fence-${client}`);
    const options = { transactionalId: id, transactionTimeoutMs: 60_000, retries: 5 };
    const older = port.transactionalProducer(options);
    await older.init();
    const txn = await older.begin();
    await txn.send([{ topic: name, messages: [message('k', 'old')] }], {
      compression: 'none',
      timeoutMs: 30_000,
    });
    const newer = port.transactionalProducer(options);
    await newer.init();
    try {
      const error = await txn.commit().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isFencedError(error), String(error)).toBe(true);
    } finally {
      await older.close();
      await newer.close();
    }
    expect(await readAll(port, name)).toEqual([]);
  });

  it('puts a key on the partition Java clients and kafkajs pick (murmur2)', async () => {
    const keys = ['invoice-1', 'invoice-2', 'customer-42', 'x', '["p","s","r"]', 'é'];
    const partitionsOf = async (p: KafkaPort) => {
      const name = await topic(p, 6);
      const producer = p.producer();
      try {
        await producer.send(
          name,
          keys.map((k) => message(k, 'v')),
        );
      } finally {
        await producer.close();
      }
      return Object.fromEntries((await readAll(p, name)).map((m) => [m.key, m.partition]));
    };
    // kafkajs's default partitioner is the Java client's (murmur2 of the key bytes).
    const reference = portFor('kafkajs');
    try {
      expect(await partitionsOf(port)).toEqual(await partitionsOf(reference));
    } finally {
      await reference.close();
    }
  });

  it('tails a topic and catches up with what was committed after it started, past transaction markers', async () => {
    const name = await topic(port, 2);
    const seen: string[] = [];
    const tail = new TopicTail(port, name, (m) => void seen.push(m.key?.toString() ?? ''), {
      name: 'conformance-tail',
      brokers: infraConfig().brokers,
    });
    const producer = port.transactionalProducer({
      transactionalId: uniqueName(`tail-${client}`),
      transactionTimeoutMs: 60_000,
      retries: 5,
    });
    try {
      await tail.catchUp(60_000);
      expect(seen).toEqual([]);
      await producer.init();
      for (const round of [1, 2]) {
        const txn = await producer.begin();
        await txn.send([{ topic: name, messages: [message(`k${round}`, 'v')] }], {
          compression: 'none',
          timeoutMs: 30_000,
        });
        const written = await txn.commit();
        // The commit's markers may land after commit() returns: catchUp waits for what it wrote.
        expect(written.map((w) => w.topic)).toEqual([name]);
        await tail.catchUp(60_000, written);
        expect(seen.sort()).toEqual(round === 1 ? ['k1'] : ['k1', 'k2']);
      }
      // A client that can assign partitions reads without any consumer group.
      if (client === 'confluent') {
        const groups = await (await port.admin()).listGroups();
        expect(groups.filter((g) => g.startsWith('conformance-tail'))).toEqual([]);
      }
    } finally {
      await producer.close();
      await tail.stop();
    }
  });

  it('deletes topics, and skips a topic already gone', async () => {
    const name = await topic(port, 1);
    const admin = await port.admin();
    await admin.deleteTopics([name], 30_000);
    // Deletion is asynchronous on the broker: the topic leaves the listing shortly after.
    await expect.poll(async () => (await admin.listTopics()).includes(name), { timeout: 30_000 }).toBe(false);
    await expect(admin.deleteTopics([name], 30_000)).resolves.toBeUndefined();
  });
});
