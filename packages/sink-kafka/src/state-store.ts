/**
 * Core's `StateStore` on a compacted Kafka topic. Keys are the JSON array
 * `["<pipeline>","<source>","<resource>"]`; values are JSON
 * `{"v":1,"state":{...},"commit":"<writer>:<n>","written_at":"<ISO>"}`; a delete is a tombstone.
 * Writers put the state message into the same transaction as the records it describes, so reading
 * with `read_committed` gives exactly the state of the data that is visible.
 */
import type { ResourceState, StateKey, StateStore } from '@siphon/core';
import { kafkaError } from './broker-errors.js';
import { KafkaSinkError } from './errors.js';
import { createKafkaPort } from './kafka-port.js';
import { type KafkaSinkOptions, type ResolvedOptions, resolveOptions } from './options.js';
import type { KafkaMessage, KafkaPort, PlainProducer } from './port.js';
import type { TailMessage } from './reader.js';
import { acquireStateLog, StateLog, type StateLogLease } from './state-log.js';
import { ensureTopics, stateTopicSpec } from './topics.js';

export interface StateEntry {
  state: ResourceState;
  /** Identifies the transaction that wrote it (used to tell whether an uncertain commit landed). */
  commit?: string;
  writtenAt: string;
}

interface Internals {
  port: KafkaPort;
  /**
   * `cluster`: the state log is the process's one per cluster and topic, on a client of its own
   * (the default); `port`: one per port given here (a test's fake).
   */
  shareLogBy?: 'cluster' | 'port';
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
  private readonly ownsPort: boolean;
  private lease: StateLogLease | undefined;
  private unsubscribe: (() => void) | undefined;
  private producer: PlainProducer | undefined;
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
  constructor(options: KafkaSinkOptions, internals?: Internals);
  constructor(options: ResolvedOptions, internals?: Internals);
  constructor(options: KafkaSinkOptions | ResolvedOptions, internals?: Internals) {
    this.options = resolveOptions(options);
    this.topic = this.options.topics.stateTopic;
    this.ownsPort = internals === undefined;
    this.internals = internals ?? { port: createKafkaPort(this.options) };
    // An aborted zombie transaction can hold the last stable offset back until the broker times it out.
    this.readTimeoutMs = this.options.transactions.timeoutMs + 30_000;
  }

  private async ensureTopic(): Promise<void> {
    if (this.internals.ensureTopic) return this.internals.ensureTopic();
    let admin: Awaited<ReturnType<KafkaPort['admin']>>;
    try {
      admin = await this.internals.port.admin();
    } catch (error) {
      throw kafkaError(error, 'connecting the admin client', this.options.kafka.brokers);
    }
    await ensureTopics(admin, [stateTopicSpec(this.options)], {
      apply: true,
      brokers: this.options.kafka.brokers,
      logger: this.options.logger,
    });
  }

  /**
   * The process's shared log of the state topic (see state-log.ts), taken on first use; this
   * store's picture starts from what the log has read so far and follows it from then on.
   */
  private stateLog(): StateLog {
    if (!this.lease) {
      const { kafka, logger } = this.options;
      const byPort = this.internals.shareLogBy === 'port';
      const lease = acquireStateLog(
        byPort
          ? { port: this.internals.port, topic: this.topic }
          : { cluster: `${kafka.brokers.join(',')}|${kafka.clientId}`, topic: this.topic },
        () => {
          // A log on a cluster outlives any one store: it gets a client of its own.
          const port = byPort ? this.internals.port : createKafkaPort(this.options);
          const spec = stateTopicSpec(this.options);
          return new StateLog({
            port,
            ownsPort: !byPort,
            topic: this.topic,
            brokers: kafka.brokers,
            logger,
            ensureTopic: async () => {
              if (byPort && this.internals.ensureTopic) return this.internals.ensureTopic();
              await ensureTopics(await port.admin(), [spec], { apply: true, brokers: kafka.brokers, logger });
            },
          });
        },
      );
      // Synchronous from here on: no message can be dispatched between the replay and the subscription.
      for (const message of lease.latest()) this.onMessage(message);
      this.unsubscribe = lease.log.subscribe((m) => this.onMessage(m));
      this.lease = lease;
    }
    return this.lease.log;
  }

  /** Everything committed to the state topic up to now has been read. */
  private async refresh(): Promise<void> {
    if (this.closed) throw new KafkaSinkError('STATE', 'state store is closed');
    await this.stateLog().catchUp(this.readTimeoutMs);
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
  message(key: StateKey, state: ResourceState, commit: string): { message: KafkaMessage; entry: StateEntry } {
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
  private async send(message: KafkaMessage): Promise<void> {
    await this.ensureTopic();
    try {
      this.producer ??= this.internals.port.producer();
      await this.producer.send(this.topic, [message]);
    } catch (error) {
      throw kafkaError(error, `writing state to ${this.topic}`, this.options.kafka.brokers);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    await this.lease?.release();
    await this.producer?.close().catch(() => {});
    if (this.ownsPort) await this.internals.port.close();
  }
}
