/**
 * The writer and the state store on the in-memory Kafka (no broker): records and state travel in
 * one transaction, a failed commit is replayed exactly once, a fenced writer stops with nothing of
 * its open transaction visible, and state is read back from the log by a fresh store.
 */
import {
  createEventBus,
  type JsonRecord,
  type Page,
  type ResourceDescriptor,
  type ResourceState,
  type StateKey,
} from '@siphon/core';
import { manualClock } from '@siphon/sandbox';
import { describe, expect, it } from 'vitest';
import { type ResourceEncoder, RUN_HEADER } from '../../src/encoder.js';
import { type KafkaSinkEvent, type ResolvedOptions, resolveOptions } from '../../src/index.js';
import { PageBuilder } from '../../src/packed.js';
import { TransactionalUnit } from '../../src/producer.js';
import { KafkaStateStore } from '../../src/state-store.js';
import { brokerAnswer, FakeKafka } from '../../src/testing.js';
import type { ResourceTopicPlan } from '../../src/topics.js';
import { KafkaResourceWriter, type WriterDeps } from '../../src/writer.js';

const TOPIC = 't.src.items';
const KEY: StateKey = { pipeline: 'p', source: 'src', resource: 'items' };
const RESOURCE: ResourceDescriptor = { name: 'items', primaryKey: ['id'], writeDisposition: 'merge' };

/** Writes text the way an avsc type writes into a page (a negative shortfall when it does not fit). */
function putText(text: string, buffer: Buffer, offset: number): number {
  const bytes = Buffer.byteLength(text);
  if (offset + bytes > buffer.length) return buffer.length - offset - bytes;
  return offset + buffer.write(text, offset);
}

/** JSON in, JSON out: the writer's behaviour does not depend on Avro. */
const jsonEncoder = {
  async encode(records: JsonRecord[], runId: string) {
    const page = new PageBuilder(16);
    for (const r of records) {
      const [keyStart, keyEnd] = page.write((b, o) => putText(String(r.id), b, o));
      const [valueStart, valueEnd] = page.write((b, o) => putText(JSON.stringify(r), b, o));
      page.add(keyStart, keyEnd, valueStart, valueEnd);
    }
    return {
      packed: page.finish({ [RUN_HEADER]: runId }),
      deadLetters: [],
      records: records.length,
      tombstones: 0,
      discarded: 0,
      unwrittenKeys: [],
    };
  },
} as unknown as ResourceEncoder;

function setup(
  boundary: { pages?: number; records?: number } = { pages: 1 },
  kafka: { outage_timeout?: number } = {},
) {
  const fake = new FakeKafka();
  const port = fake.port();
  const events: KafkaSinkEvent[] = [];
  const bus = createEventBus();
  const options: ResolvedOptions = resolveOptions({
    kafka: { brokers: ['fake:9092'], ...kafka },
    registry: { url: 'http://registry.invalid' },
    topics: { prefix: 't' },
    sink: { transaction: boundary, compression: 'none' },
    onEvent: (e) => events.push(e),
    events: bus,
  });
  for (const topic of [TOPIC, options.topics.stateTopic, options.topics.deadLetterTopic])
    fake.createTopic(topic);
  const store = new KafkaStateStore(options, { port, shareLogBy: 'port', ensureTopic: async () => {} });
  const unitOf = () =>
    new TransactionalUnit(port, {
      transactionalId: 't-p-src-items',
      transactionTimeoutMs: options.transactions.timeoutMs,
      retries: 0,
      brokers: ['fake:9092'],
    });
  const writer = (unit = unitOf(), overrides: Partial<WriterDeps> = {}) =>
    new KafkaResourceWriter({
      unit,
      encoder: jsonEncoder,
      store,
      stateKey: KEY,
      resource: RESOURCE,
      plan: { topic: TOPIC } as ResourceTopicPlan,
      options,
      port,
      runId: 'run-1',
      onClose: () => {},
      ...overrides,
    });
  return { fake, port, options, store, writer, unitOf, events, bus };
}

const page = (index: number, ids: number[], state: ResourceState): Page => ({
  resource: 'items',
  index,
  url: `https://api.invalid/items?page=${index}`,
  records: ids.map((id) => ({ id, name: `item ${id}` })),
  state,
});

const cursor = (value: number): ResourceState => ({ incremental: { default: { last_value: value } } });

describe('KafkaResourceWriter on the fake port', () => {
  it('commits records and state together, and a fresh store reads the state back', async () => {
    const { fake, port, options, writer } = setup();
    const w = writer();
    await w.write(page(1, [1, 2], cursor(2)));
    await w.write(page(2, [3], cursor(3)));
    await w.finish({ resource: 'items', pages: 2, records: 3, complete: true }, cursor(3));

    expect([...fake.compacted(TOPIC).keys()]).toEqual(['1', '2', '3']);
    const fresh = new KafkaStateStore(options, { port, shareLogBy: 'port', ensureTopic: async () => {} });
    try {
      await expect(fresh.current(KEY)).resolves.toEqual(cursor(3));
      expect(fake.open.readers).toBe(1);
    } finally {
      await fresh.close();
    }
    // One transaction per page (boundary pages: 1), plus the final one.
    expect(fake.commits.get('t-p-src-items')).toBe(3);
  });

  it('reads its own last commit back before it detects deletes, though the commit markers land late', async () => {
    const { fake, writer, events } = setup();
    const snapshot: ResourceDescriptor = { ...RESOURCE, deleteDetection: 'snapshot' };
    const first = writer(undefined, { resource: snapshot, runId: 'run-1' });
    await first.write(page(1, [1, 2, 3], cursor(3)));
    await first.finish({ resource: 'items', pages: 1, records: 3, complete: true }, cursor(3));

    // Run 2 no longer sees item 3. Its page is committed, but readable only after two more
    // end-offset reads: a scan that took the end offsets at once would find items 1 and 2 only in
    // run 1 and delete them.
    const second = writer(undefined, { resource: snapshot, runId: 'run-2' });
    fake.delayNextMarkers(2);
    await second.write(page(1, [1, 2], cursor(2)));
    await second.finish({ resource: 'items', pages: 1, records: 2, complete: true }, cursor(2));

    expect(events.filter((e) => e.type === 'snapshot_deletes').map((e) => e.tombstones)).toEqual([0, 1]);
    const tombstones = fake.messages(TOPIC).filter((m) => m.value === null);
    expect(tombstones.map((m) => m.key?.toString())).toEqual(['3']);
    expect([...fake.compacted(TOPIC).keys()].sort()).toEqual(['1', '2']);
  });

  it('recreates the producer after a failed commit and replays the open transaction once', async () => {
    const { fake, writer, events } = setup();
    const w = writer();
    fake.inject('commit', brokerAnswer('COORDINATOR_NOT_AVAILABLE', 15, true));
    await w.write(page(1, [1, 2], cursor(2)));
    await w.finish({ resource: 'items', pages: 1, records: 2, complete: true }, cursor(2));

    expect(fake.messages(TOPIC).map((m) => m.key?.toString())).toEqual(['1', '2']);
    expect(events.filter((e) => e.type === 'producer_recreated')).toHaveLength(1);
  });

  it('reports each commit on the bus as sink.transaction_committed, and to onEvent, past a throwing subscriber', async () => {
    const { fake, writer, events, bus } = setup();
    const committed: number[] = [];
    bus.onAny(() => {
      throw new Error('a subscriber bug');
    });
    bus.on('sink.transaction_committed', (e) => committed.push(e.records));
    const w = writer();
    await w.write(page(1, [1, 2], cursor(2)));
    await w.write(page(2, [3], cursor(3)));
    await w.finish({ resource: 'items', pages: 2, records: 3, complete: true }, cursor(3));

    expect([...fake.compacted(TOPIC).keys()]).toEqual(['1', '2', '3']);
    expect(committed.reduce((sum, n) => sum + n, 0)).toBe(3);
    // The deprecated onEvent hears the same events under their short names.
    const viaHook = events.flatMap((e) => (e.type === 'transaction_committed' ? [e.records] : []));
    expect(viaHook).toEqual(committed);
  });

  it('stops as fenced when another owner takes the transactional id, leaving its open batch invisible', async () => {
    const { fake, writer, unitOf } = setup({ records: 100 });
    // As the sink's open() does: the writer's producer is initialised before the first page.
    const mine = unitOf();
    await mine.ready();
    const w = writer(mine);
    await w.write(page(1, [1, 2], cursor(2)));
    // A newer run of the same resource starts: its InitProducerId bumps the epoch.
    const newer = unitOf();
    await newer.ready();
    await expect(
      w.finish({ resource: 'items', pages: 1, records: 2, complete: true }, cursor(2)),
    ).rejects.toMatchObject({ code: 'FENCED' });
    expect(fake.messages(TOPIC)).toEqual([]);
    await newer.close();
  });

  it('waits out a transaction coordinator that is still loading before the first transaction', async () => {
    const { fake, writer } = setup();
    fake.inject('init', brokerAnswer('COORDINATOR_LOAD_IN_PROGRESS', 14, true));
    fake.inject('init', brokerAnswer('NOT_COORDINATOR', 16, true));
    const w = writer();
    await w.write(page(1, [7], cursor(7)));
    await w.finish({ resource: 'items', pages: 1, records: 1, complete: true }, cursor(7));
    expect([...fake.compacted(TOPIC).keys()]).toEqual(['7']);
  });
});

describe('KafkaStateStore on the fake port', () => {
  it('sets, lists and deletes state; another store sees the same log through the one shared reader', async () => {
    const { fake, port, options, store } = setup();
    const other: StateKey = { ...KEY, resource: 'other' };
    await store.set(KEY, cursor(1));
    await store.set(other, cursor(5));
    await store.delete(KEY);
    expect(await store.list()).toEqual([{ key: other, state: cursor(5) }]);

    const fresh = new KafkaStateStore(options, { port, shareLogBy: 'port', ensureTopic: async () => {} });
    try {
      await expect(fresh.current(KEY)).resolves.toBeUndefined();
      await expect(fresh.current(other)).resolves.toEqual(cursor(5));
      // One reader of the state topic for the process, shared by both stores.
      expect(fake.open.readers).toBe(1);
    } finally {
      await fresh.close();
      expect(fake.open.readers).toBe(1);
      await store.close();
    }
    expect(fake.open.readers).toBe(0);
  });
});

describe('KafkaResourceWriter while the brokers keep failing', () => {
  const unavailable = () => brokerAnswer('COORDINATOR_NOT_AVAILABLE', 15, true);
  // What a producer's InitProducerId gives while the brokers are down (not a settling answer,
  // which the producer waits out by itself).
  const unreachable = () =>
    brokerAnswer('NETWORK_EXCEPTION', 13, true, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092');

  /**
   * A writer whose producer is initialised (as the sink's open() does), so `init` answers hit
   * recoveries. Its outage waits move `clock` on instead of taking real time.
   */
  async function openWriter(s: ReturnType<typeof setup>, clock: ReturnType<typeof manualClock>) {
    const unit = s.unitOf();
    await unit.ready();
    return s.writer(unit, { clock });
  }

  it('retries recreating the producer after a wait, then replays the open transaction', async () => {
    const s = setup();
    const clock = manualClock();
    const start = clock.now();
    const w = await openWriter(s, clock);
    s.fake.inject('commit', unavailable());
    s.fake.inject('init', unreachable());
    await w.write(page(1, [1, 2], cursor(2)));
    await w.finish({ resource: 'items', pages: 1, records: 2, complete: true }, cursor(2));

    expect(s.fake.messages(TOPIC).map((m) => m.key?.toString())).toEqual(['1', '2']);
    expect(s.events.filter((e) => e.type === 'producer_recreated')).toHaveLength(1);
    // One wait of 1 s (the first of the outage backoff) between the failed and the good recreation.
    expect(clock.now() - start).toBe(1_000);
  });

  it('gives up once the next wait would pass kafka.outageTimeout, naming it, with nothing committed', async () => {
    // Waits of 1 s, then 2 s: the second would end past 2.5 s.
    const s = setup({ pages: 1 }, { outage_timeout: 2500 });
    const clock = manualClock();
    const start = clock.now();
    const w = await openWriter(s, clock);
    s.fake.inject('commit', unavailable());
    for (let i = 0; i < 5; i++) s.fake.inject('init', unreachable());
    const failure = await w
      .write(page(1, [1, 2], cursor(2)))
      .then(() => w.finish({ resource: 'items', pages: 1, records: 2, complete: true }, cursor(2)))
      .catch((e: unknown) => e);
    expect(failure).toMatchObject({
      message: expect.stringMatching(
        /Kafka kept failing for [\d.]+ s, giving up after kafka\.outageTimeout \(2\.5 s\).*ECONNREFUSED/,
      ),
    });
    expect(s.fake.messages(TOPIC)).toEqual([]);
    expect(clock.now() - start).toBe(1_000);
  });
});
