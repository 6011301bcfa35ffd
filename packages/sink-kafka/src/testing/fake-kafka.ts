/**
 * An in-memory Kafka behind the port, for unit tests of the writer, the state store and the
 * runner's group logic without a broker. It keeps what tests rely on: topics with partitions,
 * transactions visible to readers only once committed (read_committed), transactional ids whose
 * older producers are fenced by a newer `init`, tailing readers, and answers injected on demand.
 * It has no consumer groups: its readers assign partitions, as a client that can would.
 */

import { KafkaSinkError } from '../errors.js';
import { unpack } from '../packed.js';
import type * as Port from '../port.js';
import { WrittenOffsets } from '../written-offsets.js';

interface StoredMessage {
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string>;
}

interface FakeTopic {
  configs: Record<string, string>;
  partitions: StoredMessage[][];
}

/** Operations an answer can be injected into, once each time it is queued. */
export type FakeOperation = 'init' | 'send' | 'commit' | 'abort' | 'topicOffsets' | 'createTopics';

/** A broker answer as the adapters report it: `{ type, code, retriable }`. */
export function brokerAnswer(type: string, code: number, retriable: boolean, message = type): Error {
  // A plain Error on purpose: the double answers like a broker through kafkajs (numeric `code`).
  return Object.assign(new Error(message), { name: 'KafkaProtocolError', type, code, retriable });
}

export class FakeKafka {
  readonly topics = new Map<string, FakeTopic>();
  /** Current epoch per transactional id. */
  private readonly epochs = new Map<string, number>();
  private readonly injected = new Map<FakeOperation, unknown[]>();
  private readonly readers = new Set<FakeLogReader>();
  /** How many ports, producers and readers were opened and are still open. */
  readonly open = { producers: 0, readers: 0 };
  /** Committed transactions, per transactional id. */
  readonly commits = new Map<string, number>();

  /** The next call of `operation` fails with `error` (queue several for several calls). */
  inject(operation: FakeOperation, error: unknown): void {
    const queue = this.injected.get(operation) ?? [];
    queue.push(error);
    this.injected.set(operation, queue);
  }

  /** Commits acknowledged but not yet readable, with the end-offset reads left before they are. */
  private readonly unmarked: Array<{ batches: Port.TopicMessages[]; reads: number }> = [];
  private markerDelay = 0;

  /**
   * The next commit becomes readable (its "markers land") only after `reads` more end-offset
   * reads, as a broker writes the markers a moment after it acknowledged the commit.
   */
  delayNextMarkers(reads: number): void {
    this.markerDelay = reads;
  }

  /** Commits a transaction's messages: readable now, or later if `delayNextMarkers` asked. */
  commitMessages(batches: Port.TopicMessages[]): Array<{ topic: string; partition: number; offset: bigint }> {
    if (this.markerDelay === 0 && this.unmarked.length === 0) return this.append(batches);
    // Offsets are taken when the records are written, before the markers.
    const written = this.placed(batches);
    this.unmarked.push({ batches, reads: this.markerDelay });
    this.markerDelay = 0;
    return written;
  }

  /** Where `batches` will land once appended after what is held back. */
  private placed(
    batches: readonly Port.TopicMessages[],
  ): Array<{ topic: string; partition: number; offset: bigint }> {
    const next = new Map<string, bigint>();
    const at = (topic: string, partition: number, length: number) => {
      const id = `${topic}[${partition}]`;
      const offset = next.get(id) ?? BigInt(length);
      next.set(id, offset + 1n);
      return offset;
    };
    for (const held of this.unmarked) this.placeEach(held.batches, at);
    return this.placeEach(batches, at);
  }

  private placeEach(
    batches: readonly Port.TopicMessages[],
    at: (topic: string, partition: number, length: number) => bigint,
  ): Array<{ topic: string; partition: number; offset: bigint }> {
    const out: Array<{ topic: string; partition: number; offset: bigint }> = [];
    for (const batch of batches) {
      const { topic } = batch;
      const t = this.topics.get(topic);
      if (!t) continue;
      const messages = 'packed' in batch ? unpack(batch.packed) : batch.messages;
      for (const m of messages) {
        const partition = m.partition ?? partitionOf(m.key, t.partitions.length);
        out.push({ topic, partition, offset: at(topic, partition, t.partitions[partition]?.length ?? 0) });
      }
    }
    return out;
  }

  /** One end-offset read went by: commits whose markers are due become readable, in order. */
  markersTick(): void {
    for (const held of this.unmarked) held.reads--;
    while (this.unmarked.length > 0 && (this.unmarked[0] as { reads: number }).reads <= 0) {
      this.append((this.unmarked.shift() as { batches: Port.TopicMessages[] }).batches);
    }
  }

  /** Throws the next injected answer for `operation`, if any. */
  take(operation: FakeOperation): void {
    const queue = this.injected.get(operation);
    if (queue && queue.length > 0) throw queue.shift();
  }

  createTopic(topic: string, partitions = 1, configs: Record<string, string> = {}): void {
    if (this.topics.has(topic)) return;
    this.topics.set(topic, { configs, partitions: Array.from({ length: partitions }, () => []) });
  }

  /** Committed messages of a topic, all partitions, in partition then offset order. */
  messages(topic: string): Array<StoredMessage & { partition: number }> {
    const t = this.topics.get(topic);
    if (!t) return [];
    return t.partitions.flatMap((log, partition) => log.map((m) => ({ ...m, partition })));
  }

  /** The latest value per key (tombstones remove the key), as compaction would keep it. */
  compacted(topic: string): Map<string, Buffer> {
    const out = new Map<string, Buffer>();
    for (const m of this.messages(topic)) {
      if (!m.key) continue;
      const id = m.key.toString('latin1');
      if (m.value === null) out.delete(id);
      else out.set(id, m.value);
    }
    return out;
  }

  /** A port on this broker; each is a client with its own lifecycle. */
  port(): Port.KafkaPort {
    return new FakePort(this);
  }

  bumpEpoch(transactionalId: string): number {
    const epoch = (this.epochs.get(transactionalId) ?? 0) + 1;
    this.epochs.set(transactionalId, epoch);
    return epoch;
  }

  epochOf(transactionalId: string): number {
    return this.epochs.get(transactionalId) ?? 0;
  }

  /** Appends to the logs; returns each message's partition and offset, in order. */
  append(
    batches: readonly Port.TopicMessages[],
  ): Array<{ topic: string; partition: number; offset: bigint }> {
    const written: Array<{ topic: string; partition: number; offset: bigint }> = [];
    for (const batch of batches) {
      const { topic } = batch;
      const messages = 'packed' in batch ? unpack(batch.packed) : batch.messages;
      const t = this.topics.get(topic);
      if (!t) throw brokerAnswer('UNKNOWN_TOPIC_OR_PARTITION', 3, true, `unknown topic ${topic}`);
      for (const m of messages) {
        const partition = m.partition ?? partitionOf(m.key, t.partitions.length);
        const log = t.partitions[partition];
        if (!log) throw brokerAnswer('UNKNOWN_TOPIC_OR_PARTITION', 3, true, `${topic}[${partition}]`);
        const offset = BigInt(log.length);
        log.push({
          offset,
          key: m.key,
          value: m.value,
          headers: { ...(m.headers ?? {}) },
        });
        written.push({ topic, partition, offset });
      }
    }
    for (const reader of this.readers) reader.wake();
    return written;
  }

  addReader(reader: FakeLogReader): void {
    this.readers.add(reader);
    this.open.readers++;
  }

  removeReader(reader: FakeLogReader): void {
    if (this.readers.delete(reader)) this.open.readers--;
  }
}

/** Any stable key → partition mapping will do for a fake (the real adapters use murmur2). */
function partitionOf(key: Buffer | null, count: number): number {
  if (!key || count <= 1) return 0;
  let hash = 0;
  for (const byte of key) hash = (hash * 31 + byte) >>> 0;
  return hash % count;
}

class FakePort implements Port.KafkaPort {
  readonly clientName = 'fake';
  readonly brokers = ['fake:9092'];

  constructor(private readonly broker: FakeKafka) {}

  async admin(): Promise<Port.KafkaAdmin> {
    return new FakeAdmin(this.broker);
  }

  transactionalProducer(options: Port.TransactionalProducerOptions): Port.TransactionalProducer {
    return new FakeTransactionalProducer(this.broker, options.transactionalId);
  }

  producer(): Port.PlainProducer {
    const broker = this.broker;
    return {
      async send(topic: string, messages: Port.KafkaMessage[]) {
        broker.take('send');
        return broker.append([{ topic, messages }]).map((w) => w.partition);
      },
      async close() {},
    };
  }

  logReader(topics: readonly string[], handlers: Port.LogReaderHandlers): Port.LogReader {
    return new FakeLogReader(this.broker, topics, handlers);
  }

  groupMembership(_spec: Port.GroupMembershipSpec): Port.GroupMembership {
    throw new KafkaSinkError('INVALID_OPTIONS', 'the fake Kafka has no consumer groups');
  }

  async close(): Promise<void> {}
}

class FakeAdmin implements Port.KafkaAdmin {
  constructor(private readonly broker: FakeKafka) {}

  async listTopics(): Promise<string[]> {
    return [...this.broker.topics.keys()];
  }

  async createTopics(topics: Port.NewTopic[]): Promise<boolean> {
    this.broker.take('createTopics');
    let created = false;
    for (const t of topics) {
      if (this.broker.topics.has(t.topic)) continue;
      this.broker.createTopic(t.topic, t.partitions, t.configs);
      created = true;
    }
    return created;
  }

  async createPartitions(topic: string, count: number): Promise<void> {
    const t = this.broker.topics.get(topic);
    if (!t) throw brokerAnswer('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
    while (t.partitions.length < count) t.partitions.push([]);
  }

  async deleteTopics(topics: string[]): Promise<void> {
    for (const topic of topics) this.broker.topics.delete(topic);
  }

  async partitions(topic: string) {
    const t = this.broker.topics.get(topic);
    return (t?.partitions ?? []).map((_, partition) => ({ partition, leader: 1, errorCode: 0 }));
  }

  async describeCluster() {
    return { brokers: 1, controller: 1 };
  }

  async topicConfigs(topics: string[], names: string[]) {
    const out = new Map<string, Record<string, string>>();
    for (const topic of topics) {
      const configs = this.broker.topics.get(topic)?.configs ?? {};
      out.set(
        topic,
        Object.fromEntries(names.filter((n) => n in configs).map((n) => [n, configs[n] as string])),
      );
    }
    return out;
  }

  async topicOffsets(topic: string): Promise<Port.PartitionOffsets[]> {
    this.broker.take('topicOffsets');
    this.broker.markersTick();
    const t = this.broker.topics.get(topic);
    if (!t) throw brokerAnswer('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
    return t.partitions.map((log, partition) => ({ partition, low: '0', high: String(log.length) }));
  }

  async listGroups(): Promise<string[]> {
    return [];
  }

  async deleteGroups(): Promise<void> {}

  async describeGroup(): Promise<Port.GroupMemberDescription[]> {
    return [];
  }
}

class FakeTransactionalProducer implements Port.TransactionalProducer {
  private epoch = -1;

  constructor(
    private readonly broker: FakeKafka,
    readonly transactionalId: string,
  ) {}

  async init(): Promise<void> {
    this.broker.take('init');
    this.epoch = this.broker.bumpEpoch(this.transactionalId);
    this.broker.open.producers++;
  }

  /** Throws as a broker does for a producer whose epoch a newer `init` bumped. */
  checkEpoch(): void {
    if (this.epoch !== this.broker.epochOf(this.transactionalId)) {
      throw brokerAnswer(
        'INVALID_PRODUCER_EPOCH',
        47,
        false,
        'Producer attempted an operation with an old epoch',
      );
    }
  }

  async begin(): Promise<Port.KafkaTransaction> {
    if (this.epoch < 0)
      throw new KafkaSinkError('PRODUCER_NOT_READY', `producer "${this.transactionalId}" is not initialised`);
    this.checkEpoch();
    return new FakeTransaction(this.broker, this);
  }

  async close(): Promise<void> {
    if (this.epoch >= 0) this.broker.open.producers--;
    this.epoch = -1;
  }
}

/** Messages are kept aside until commit: a read_committed reader never sees an open transaction. */
class FakeTransaction implements Port.KafkaTransaction {
  private readonly pending: Port.TopicMessages[] = [];
  private active = true;

  constructor(
    private readonly broker: FakeKafka,
    private readonly producer: FakeTransactionalProducer,
  ) {}

  async send(batches: Port.TopicMessages[]): Promise<void> {
    this.broker.take('send');
    this.producer.checkEpoch();
    for (const batch of batches) {
      const { topic } = batch;
      if (!this.broker.topics.has(topic)) throw brokerAnswer('UNKNOWN_TOPIC_OR_PARTITION', 3, true);
      // A copy of the list (and of packed bytes): what the caller reuses later cannot change a sent message.
      const messages =
        'packed' in batch
          ? unpack({ ...batch.packed, buffer: Buffer.from(batch.packed.buffer) })
          : [...batch.messages];
      this.pending.push({ topic, messages });
    }
  }

  async commit(): Promise<Port.WrittenOffset[]> {
    this.broker.take('commit');
    this.producer.checkEpoch();
    this.active = false;
    const written = new WrittenOffsets();
    for (const w of this.broker.commitMessages(this.pending)) written.note(w.topic, w.partition, w.offset);
    const id = this.producer.transactionalId;
    this.broker.commits.set(id, (this.broker.commits.get(id) ?? 0) + 1);
    return written.list();
  }

  async abort(): Promise<void> {
    this.broker.take('abort');
    this.active = false;
    this.pending.length = 0;
  }

  isActive(): boolean {
    return this.active;
  }
}

class FakeLogReader implements Port.LogReader {
  private readonly positions = new Map<string, bigint>();
  private running = false;
  private pumping: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly broker: FakeKafka,
    private readonly topics: readonly string[],
    private readonly handlers: Port.LogReaderHandlers,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.broker.addReader(this);
    this.wake();
  }

  /** New messages may be there: deliver them (one pump at a time, in order). */
  wake(): void {
    if (!this.running) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async pump(): Promise<void> {
    for (const topic of this.topics) {
      const t = this.broker.topics.get(topic);
      if (!t) continue;
      for (const [partition, log] of t.partitions.entries()) {
        const id = `${topic}[${partition}]`;
        let next = this.positions.get(id) ?? 0n;
        while (this.running && next < BigInt(log.length)) {
          const m = log[Number(next)] as StoredMessage;
          const message: Port.ConsumedMessage = {
            topic,
            partition,
            offset: String(m.offset),
            key: m.key,
            value: m.value,
            headers: m.headers,
          };
          try {
            await this.handlers.onMessage(message);
          } catch (error) {
            this.running = false;
            this.handlers.onError(error);
            return;
          }
          next += 1n;
          this.positions.set(id, next);
          this.handlers.onProgress(topic, partition, next);
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.broker.removeReader(this);
    await this.pumping?.catch(() => {});
  }
}
