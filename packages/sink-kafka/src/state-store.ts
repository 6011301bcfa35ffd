/**
 * Core's `StateStore` on a compacted Kafka topic. Keys are the JSON array
 * `["<pipeline>","<source>","<resource>"]`; values are JSON
 * `{"v":1,"state":{...},"commit":"<writer>:<n>","written_at":"<ISO>"}`; a delete is a tombstone.
 * Writers put the state message into the same transaction as the records it describes, so reading
 * with `read_committed` gives exactly the state of the data that is visible.
 */
import type { ResourceState, StateKey, StateStore } from '@siphon/core';
import type { Admin, Kafka, Message, Producer } from 'kafkajs';
import { createKafka, kafkaError } from './client.js';
import { KafkaSinkError } from './errors.js';
import { type KafkaSinkOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { type TailMessage, TopicTail } from './reader.js';
import { ensureTopics, stateTopicSpec } from './topics.js';

export interface StateEntry {
  state: ResourceState;
  /** Identifies the transaction that wrote it (used to tell whether an uncertain commit landed). */
  commit?: string;
  writtenAt: string;
}

interface Internals {
  kafka: Kafka;
  admin: () => Promise<Admin>;
  /** Called before `get`: fences the previous writer of the key so its open transaction is aborted. */
  fence?: (key: StateKey) => Promise<void>;
  /** Makes sure the state topic exists. */
  ensureTopic?: () => Promise<void>;
}

export function encodeStateKey(key: StateKey): Buffer {
  return Buffer.from(JSON.stringify([key.pipeline, key.source, key.resource]));
}

export function decodeStateKey(bytes: Buffer): StateKey | undefined {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 3 && parsed.every((p) => typeof p === 'string')) {
      const [pipeline, source, resource] = parsed as [string, string, string];
      return { pipeline, source, resource };
    }
  } catch {
    // not one of ours
  }
  return undefined;
}

export function encodeStateValue(entry: StateEntry): Buffer {
  return Buffer.from(
    JSON.stringify({ v: 1, state: entry.state, commit: entry.commit, written_at: entry.writtenAt }),
  );
}

function decodeStateValue(bytes: Buffer): StateEntry | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as {
      v?: number;
      state?: ResourceState;
      commit?: string;
      written_at?: string;
    };
    if (parsed.v !== 1 || typeof parsed.state !== 'object' || parsed.state === null) return undefined;
    return {
      state: parsed.state,
      ...(parsed.commit ? { commit: parsed.commit } : {}),
      writtenAt: parsed.written_at ?? '',
    };
  } catch {
    return undefined;
  }
}

export class KafkaStateStore implements StateStore {
  readonly topic: string;
  private readonly options: ResolvedOptions;
  private readonly internals: Internals;
  private readonly ownsKafka: boolean;
  private adminClient: Admin | undefined;
  private tail: TopicTail | undefined;
  private producer: Producer | undefined;
  /** As read from the topic. */
  private readonly fromLog = new Map<string, StateEntry | null>();
  /** Written by this process and possibly not visible to the reader yet; newest wins. */
  private readonly local = new Map<string, StateEntry | null>();
  private readonly readTimeoutMs: number;
  private closed = false;

  /**
   * A standalone store (for inspecting or resetting state) reads and writes without fencing
   * anyone; the store a `KafkaSink` hands out fences each resource's previous writer on `get`.
   */
  constructor(options: KafkaSinkOptions | ResolvedOptions, internals?: Internals) {
    this.options = resolveOptions(options);
    this.topic = this.options.topics.stateTopic;
    this.ownsKafka = internals === undefined;
    if (internals) {
      this.internals = internals;
    } else {
      const kafka = createKafka(this.options);
      this.internals = { kafka, admin: () => this.ownAdmin(kafka) };
    }
    // An aborted zombie transaction can hold the last stable offset back until the broker times it out.
    this.readTimeoutMs = this.options.transactions.timeoutMs + 30_000;
  }

  private async ownAdmin(kafka: Kafka): Promise<Admin> {
    if (!this.adminClient) {
      const admin = kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        throw kafkaError(error, 'connecting the admin client', this.options.kafka.brokers);
      }
      this.adminClient = admin;
    }
    return this.adminClient;
  }

  private async ensureTopic(): Promise<void> {
    if (this.internals.ensureTopic) return this.internals.ensureTopic();
    await ensureTopics(await this.internals.admin(), [stateTopicSpec(this.options)], {
      apply: true,
      brokers: this.options.kafka.brokers,
      logger: this.options.logger,
    });
  }

  /** Everything committed to the state topic up to now has been read. */
  private async refresh(): Promise<void> {
    if (this.closed) throw new KafkaSinkError('STATE', 'state store is closed');
    if (!this.tail) {
      await this.ensureTopic();
      this.tail = new TopicTail(
        this.internals.kafka,
        await this.internals.admin(),
        this.topic,
        (m) => this.onMessage(m),
        { groupPrefix: this.topic, brokers: this.options.kafka.brokers, logger: this.options.logger },
      );
    }
    await this.tail.catchUp(this.readTimeoutMs);
  }

  private onMessage(message: TailMessage): void {
    if (!message.key) return;
    const key = decodeStateKey(message.key);
    if (!key) return;
    const id = message.key.toString('utf8');
    const entry = message.value ? (decodeStateValue(message.value) ?? null) : null;
    this.fromLog.set(id, entry);
    // Our own write is now visible: the log is authoritative again.
    const mine = this.local.get(id);
    if (mine === undefined) return;
    if (mine === null ? entry === null : mine.commit !== undefined && mine.commit === entry?.commit) {
      this.local.delete(id);
    }
  }

  /** The state message a writer puts into its transaction. */
  message(key: StateKey, state: ResourceState, commit: string): { message: Message; entry: StateEntry } {
    const entry: StateEntry = { state, commit, writtenAt: new Date().toISOString() };
    return { message: { key: encodeStateKey(key), value: encodeStateValue(entry) }, entry };
  }

  /** Called by writers once their transaction committed. */
  noteCommitted(key: StateKey, entry: StateEntry): void {
    this.local.set(encodeStateKey(key).toString('utf8'), entry);
  }

  /** The committed entry for a key as the topic shows it now (no local shortcut). */
  async readCommitted(key: StateKey): Promise<StateEntry | undefined> {
    await this.refresh();
    return this.fromLog.get(encodeStateKey(key).toString('utf8')) ?? undefined;
  }

  async get(key: StateKey): Promise<ResourceState | undefined> {
    await this.internals.fence?.(key);
    return this.current(key);
  }

  /** The latest state of a key, committed or written by this process, without fencing anyone. */
  async current(key: StateKey): Promise<ResourceState | undefined> {
    await this.refresh();
    const id = encodeStateKey(key).toString('utf8');
    const entry = this.local.has(id) ? this.local.get(id) : this.fromLog.get(id);
    return entry?.state;
  }

  async set(key: StateKey, state: ResourceState): Promise<void> {
    const commit = `set:${Date.now()}:${Math.random().toString(36).slice(2)}`;
    const { message, entry } = this.message(key, state, commit);
    await this.send(message);
    this.noteCommitted(key, entry);
  }

  async delete(key: StateKey): Promise<void> {
    await this.send({ key: encodeStateKey(key), value: null });
    this.local.set(encodeStateKey(key).toString('utf8'), null);
  }

  async list(): Promise<Array<{ key: StateKey; state: ResourceState }>> {
    await this.refresh();
    const ids = new Set([...this.fromLog.keys(), ...this.local.keys()]);
    const out: Array<{ key: StateKey; state: ResourceState }> = [];
    for (const id of [...ids].sort()) {
      const entry = this.local.has(id) ? this.local.get(id) : this.fromLog.get(id);
      const key = decodeStateKey(Buffer.from(id));
      if (entry && key) out.push({ key, state: entry.state });
    }
    return out;
  }

  /** Writes outside any resource transaction (state reset / manual edits): idempotent, acks=all. */
  private async send(message: Message): Promise<void> {
    await this.ensureTopic();
    try {
      if (!this.producer) {
        const producer = this.internals.kafka.producer({
          idempotent: true,
          maxInFlightRequests: 1,
          allowAutoTopicCreation: false,
          retry: { retries: this.options.producer.retries },
        });
        await producer.connect();
        this.producer = producer;
      }
      await this.producer.send({ topic: this.topic, acks: -1, messages: [message] });
    } catch (error) {
      throw kafkaError(error, `writing state to ${this.topic}`, this.options.kafka.brokers);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail?.stop();
    await this.producer?.disconnect().catch(() => {});
    if (this.ownsKafka) await this.adminClient?.disconnect().catch(() => {});
  }
}
