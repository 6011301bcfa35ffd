/**
 * Reads topics from the beginning with `read_committed` and knows when it has caught up with
 * everything committed so far. kafkajs only reads through consumer groups, so each tail joins a
 * private, never-committing group that is deleted when the tail stops.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, IHeaders, Kafka } from 'kafkajs';
import { kafkaError } from './client.js';
import { describeError, KafkaSinkError } from './errors.js';
import type { Logger } from './options.js';
import { fetchTopicOffsets, type SettlePolicy, untilSettled } from './settle.js';

export interface TailMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** Handles one message; a returned promise is awaited before the next (backpressure). */
export type TailHandler = (message: TailMessage) => void | Promise<void>;

export interface TailOptions {
  groupPrefix: string;
  brokers: string[];
  logger?: Logger | undefined;
  settle?: SettlePolicy;
}

interface Waiter {
  targets: Map<string, bigint>;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

const position = (topic: string, partition: number) => `${topic}[${partition}]`;

/** Bytes one fetch may return: enough for a broker-sized record batch, small for memory. */
const READ_MAX_BYTES = 1024 * 1024;

export class TopicTail {
  private consumer: Consumer | undefined;
  /** Next offset to read, per `topic[partition]`. */
  private readonly positions = new Map<string, bigint>();
  private readonly waiters = new Set<Waiter>();
  private failure: unknown;
  private starting: Promise<void> | undefined;
  readonly groupId: string;
  readonly topics: readonly string[];

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    topics: string | readonly string[],
    private readonly onMessage: TailHandler,
    private readonly options: TailOptions,
  ) {
    this.topics = typeof topics === 'string' ? [topics] : [...new Set(topics)];
    this.groupId = `${options.groupPrefix}-reader-${randomUUID()}`;
  }

  private get names(): string {
    return this.topics.join(', ');
  }

  private settle<T>(what: string, call: () => Promise<T>): Promise<T> {
    const { logger, settle } = this.options;
    return untilSettled(what, call, { logger, ...(settle ? { policy: settle } : {}) });
  }

  start(): Promise<void> {
    this.starting ??= this.run();
    return this.starting;
  }

  private async run(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 1000,
      // kafkajs's 10 MiB default, decompressed and decoded at once, was the run's peak RSS.
      maxBytes: READ_MAX_BYTES,
      maxBytesPerPartition: READ_MAX_BYTES,
    });
    this.consumer = consumer;
    const topics = new Set(this.topics);
    // Emitted once `eachBatch` has resolved, so every message up to `lastOffset` was handled.
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, lastOffset } = event.payload as {
        topic: string;
        partition: number;
        lastOffset: string;
      };
      if (!topics.has(topic) || this.failure) return;
      const id = position(topic, partition);
      const next = BigInt(lastOffset) + 1n;
      if (next > (this.positions.get(id) ?? -1n)) this.positions.set(id, next);
      this.resolveWaiters();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload as { error: unknown; restart?: boolean };
      // A retriable crash (coordinator loading on a fresh cluster, a rebalance) is followed by
      // kafkajs's own restart; catch-up waits for it, bounded by its timeout.
      if (restart === true) {
        this.options.logger?.debug(
          { component: 'sink-kafka', error: describeError(error) },
          `reading ${this.names}: the consumer restarts after a retriable error`,
        );
        return;
      }
      this.fail(error);
    });
    try {
      await this.settle(`connecting the reader of ${this.names}`, () => consumer.connect());
      await this.settle(`subscribing to ${this.names}`, () =>
        consumer.subscribe({ topics: [...this.topics], fromBeginning: true }),
      );
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (this.failure) return;
            try {
              await this.onMessage({
                topic: batch.topic,
                partition: batch.partition,
                offset: m.offset,
                key: m.key,
                value: m.value,
                headers: m.headers ?? {},
              });
            } catch (error) {
              // Not rethrown: kafkajs would retry the batch and hand the same messages over again.
              this.fail(error);
              return;
            }
          }
        },
      });
    } catch (error) {
      const wrapped = kafkaError(error, `reading ${this.names}`, this.options.brokers);
      this.fail(wrapped);
      throw wrapped;
    }
  }

  /**
   * Resolves once everything committed to the topics before this call has been passed to
   * `onMessage` (and its promise settled). Rejects after `timeoutMs`, or with the handler's error.
   */
  async catchUp(timeoutMs: number): Promise<void> {
    await this.start();
    if (this.failure) throw this.failure;
    const targets = new Map<string, bigint>();
    for (const topic of this.topics) {
      let offsets: Awaited<ReturnType<Admin['fetchTopicOffsets']>>;
      try {
        // ListOffsets with read_committed: the last stable offset of each partition.
        offsets = await this.settle(`reading the end offsets of ${topic}`, () =>
          fetchTopicOffsets(this.admin, topic),
        );
      } catch (error) {
        throw kafkaError(error, `reading the end offsets of ${topic}`, this.options.brokers);
      }
      for (const p of offsets) {
        const high = BigInt(p.high);
        if (high > BigInt(p.low)) targets.set(position(topic, p.partition), high);
      }
    }
    // A handler can fail while the end offsets are fetched; its batch still counts as processed.
    if (this.failure) throw this.failure;
    if (this.reached(targets)) return;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        targets,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const behind = [...targets]
            .filter(([id, t]) => (this.positions.get(id) ?? -1n) < t)
            .map(([id, t]) => `${id} at ${this.positions.get(id) ?? 'start'} of ${t}`)
            .join(', ');
          reject(
            new KafkaSinkError(
              'STATE',
              `reading ${this.names} did not catch up within ${timeoutMs} ms (${behind})`,
              {
                retriable: true,
              },
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private reached(targets: Map<string, bigint>): boolean {
    for (const [id, target] of targets) {
      if ((this.positions.get(id) ?? -1n) < target) return false;
    }
    return true;
  }

  private resolveWaiters(): void {
    for (const waiter of this.waiters) {
      if (!this.reached(waiter.targets)) continue;
      clearTimeout(waiter.timer);
      this.waiters.delete(waiter);
      waiter.resolve();
    }
  }

  private fail(error: unknown): void {
    this.failure = error;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.waiters.clear();
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.fail(new KafkaSinkError('STATE', `reader of ${this.names} stopped`));
    if (!consumer) return;
    await this.starting?.catch(() => {});
    await consumer.disconnect().catch(() => {});
    await this.admin.deleteGroups([this.groupId]).catch(() => {});
  }
}

/** Reads whole topics once, up to what was committed when the call started. */
export async function scanTopics(
  kafka: Kafka,
  admin: Admin,
  topics: string | readonly string[],
  onMessage: TailHandler,
  options: TailOptions & { timeoutMs: number },
): Promise<void> {
  const tail = new TopicTail(kafka, admin, topics, onMessage, options);
  try {
    await tail.catchUp(options.timeoutMs);
  } finally {
    await tail.stop();
  }
}
