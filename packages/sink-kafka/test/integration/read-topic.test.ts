import { afterEach, describe, expect, it } from 'vitest';
import {
  createKafkaSink,
  type DecodedTopicMessage,
  type KafkaSink,
  KafkaStateStore,
  readTopicOnce,
  resolveConnection,
  resolveOptions,
  type TopicMessage,
} from '../../src/index.js';
import { BILLING_RUN, invoicesWithDeletes, page, resource, stateFor, testOptions } from './helpers.js';

const sinks: KafkaSink[] = [];
afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close()));
});

const invoice = (id: string, total: number) => ({ id, invoice_number: `INV-${id}`, total });

describe('readTopicOnce', () => {
  it('reads committed keys and values back decoded, from several topics, with the bytes the commit events reported', async () => {
    const options = testOptions({ sink: { transaction: { pages: 1 } } });
    const sink = createKafkaSink(options);
    sinks.push(sink);
    const writer = await sink.open(invoicesWithDeletes(), BILLING_RUN);
    await writer.write(page(1, [invoice('1', 10), invoice('2', 20)]));
    await writer.write(page(2, [invoice('3', 30), { ...invoice('2', 20), status: 'deleted' }]));
    await writer.finish({ resource: 'invoices', pages: 2, records: 4, complete: true }, {});
    const plans = await sink.open(resource({ name: 'plans', primaryKey: ['code'] }), {
      pipeline: 'p',
      source: 'billing',
      runId: 'r1',
    });
    await plans.write({ ...page(1, [{ code: 'gold', price: 5 }]), resource: 'plans' });
    await plans.finish({ resource: 'plans', pages: 1, records: 1, complete: true }, {});

    const prefix = options.topics?.prefix;
    const read: DecodedTopicMessage[] = [];
    await readTopicOnce(
      resolveOptions(options),
      [`${prefix}.billing.invoices`, `${prefix}.billing.plans`],
      (m) => {
        read.push(m);
      },
    );
    const invoices = read.filter((m) => m.topic === `${prefix}.billing.invoices`);
    expect(invoices.map((m) => m.decoded)).toEqual([
      { key: { id: '1' }, value: expect.objectContaining(invoice('1', 10)) },
      { key: { id: '2' }, value: expect.objectContaining(invoice('2', 20)) },
      { key: { id: '3' }, value: expect.objectContaining(invoice('3', 30)) },
      { key: { id: '2' }, value: null },
    ]);
    expect(invoices.map((m) => m.offset)).toEqual(['0', '1', '3', '4']); // 2: the first commit marker
    expect(read.filter((m) => m.topic === `${prefix}.billing.plans`).map((m) => m.decoded)).toEqual([
      { key: { code: 'gold' }, value: expect.objectContaining({ code: 'gold', price: 5 }) },
    ]);

    // Each commit reports the key + value bytes it wrote to the resource's topic.
    const committed = options.seen.filter((e) => e.type === 'transaction_committed');
    const reported = (name: string) =>
      committed.filter((e) => e.resource === name).reduce((n, e) => n + e.bytes, 0);
    const stored = (messages: TopicMessage[]) =>
      messages.reduce((n, m) => n + (m.key?.length ?? 0) + (m.value?.length ?? 0), 0);
    expect(reported('invoices')).toBe(stored(invoices));
    expect(reported('plans')).toBe(stored(read.filter((m) => m.topic === `${prefix}.billing.plans`)));
    const withRecords = committed.filter((e) => e.resource === 'invoices' && e.records + e.tombstones > 0);
    expect(withRecords.length).toBeGreaterThan(0);
    expect(withRecords.every((e) => e.bytes > 0)).toBe(true);
  });

  it('reads a topic that is not Avro with decode: false, and names the message when asked to decode it', async () => {
    const options = testOptions();
    const store = new KafkaStateStore(options);
    const key = { pipeline: 'p', source: 's', resource: 'r' };
    try {
      await store.set(key, stateFor('r1', 1));
    } finally {
      await store.close();
    }
    const stateTopic = `${options.topics?.prefix}._state`;
    const raw: TopicMessage[] = [];
    await readTopicOnce(
      resolveOptions(options),
      stateTopic,
      (m) => {
        raw.push(m);
      },
      { decode: false },
    );
    expect(raw.map((m) => JSON.parse(m.value?.toString('utf8') ?? '')).map((v) => v.state)).toEqual([
      stateFor('r1', 1),
    ]);
    await expect(readTopicOnce(resolveOptions(options), stateTopic, () => {})).rejects.toMatchObject({
      code: 'DECODE',
      message: expect.stringContaining(
        `topic "${stateTopic}" partition 0 offset 0: the key is not Confluent-framed Avro`,
      ),
    });
    await expect(
      readTopicOnce({ kafka: resolveConnection(options.kafka) }, stateTopic, () => {}),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });

  it('returns at once for an empty topic, and fails for a topic that does not exist', async () => {
    const options = testOptions();
    const store = new KafkaStateStore(options);
    try {
      await store.list(); // creates the (empty) state topic
    } finally {
      await store.close();
    }
    const seen: TopicMessage[] = [];
    await readTopicOnce(
      resolveOptions(options),
      `${options.topics?.prefix}._state`,
      (m) => {
        seen.push(m);
      },
      { decode: false },
    );
    expect(seen).toEqual([]);
    await expect(
      readTopicOnce(
        resolveOptions(options),
        [`${options.topics?.prefix}._state`, `${options.topics?.prefix}.nope`],
        () => {},
        {
          decode: false,
        },
      ),
    ).rejects.toMatchObject({
      code: 'TOPIC_ADMIN',
      message: expect.stringContaining(`topic ${options.topics?.prefix}.nope does not exist`),
    });
  });
});

describe('topics that are still settling', () => {
  it('lets two sinks that share a fresh state topic open writers at the same moment', async () => {
    const first = testOptions();
    const second = testOptions({ topics: { prefix: first.topics?.prefix } });
    const a = createKafkaSink(first);
    const b = createKafkaSink(second);
    sinks.push(a, b);
    const key = (source: string) => ({ pipeline: 'p', source, resource: 'invoices' });
    const open = async (sink: KafkaSink, source: string) => {
      await sink.stateStore().get(key(source));
      const writer = await sink.open(resource(), { pipeline: 'p', source, runId: 'r1' });
      await writer.write(page(1, [invoice('1', 1)]));
      await writer.finish({ resource: 'invoices', pages: 1, records: 1, complete: true }, {});
    };
    await Promise.all([open(a, 'billing'), open(b, 'analytics')]);
    const read: DecodedTopicMessage[] = [];
    const prefix = first.topics?.prefix;
    await readTopicOnce(
      resolveOptions(first),
      [`${prefix}.billing.invoices`, `${prefix}.analytics.invoices`],
      (m) => {
        read.push(m);
      },
    );
    expect(read.map((m) => m.topic).sort()).toEqual([
      `${prefix}.analytics.invoices`,
      `${prefix}.billing.invoices`,
    ]);
  });
});
