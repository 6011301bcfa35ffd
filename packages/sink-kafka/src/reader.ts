/**
 * Reads a topic from the beginning with `read_committed` and knows when it has caught up with
 * everything committed so far. kafkajs only reads through consumer groups, so each tail joins a
 * private, never-committing group that is deleted when the tail stops.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, IHeaders, Kafka } from 'kafkajs';
import { kafkaError } from './client.js';
import { KafkaSinkError } from './errors.js';

export interface TailMessage {
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

interface Waiter {
  targets: Map<number, bigint>;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

export class TopicTail {
  private consumer: Consumer | undefined;
  private readonly positions = new Map<number, bigint>();
  private readonly waiters = new Set<Waiter>();
  private failure: unknown;
  private starting: Promise<void> | undefined;
  readonly groupId: string;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    readonly topic: string,
    private readonly onMessage: (message: TailMessage) => void,
    private readonly options: { groupPrefix: string; brokers: string[] },
  ) {
    this.groupId = `${options.groupPrefix}-reader-${randomUUID()}`;
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
    });
    this.consumer = consumer;
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
      const { topic, partition, lastOffset } = event.payload as {
        topic: string;
        partition: number;
        lastOffset: string;
      };
      if (topic !== this.topic) return;
      const next = BigInt(lastOffset) + 1n;
      if (next > (this.positions.get(partition) ?? -1n)) this.positions.set(partition, next);
      this.settle();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.fail((event.payload as { error: unknown }).error);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            this.onMessage({
              partition: batch.partition,
              offset: m.offset,
              key: m.key,
              value: m.value,
              headers: m.headers ?? {},
            });
          }
        },
      });
    } catch (error) {
      const wrapped = kafkaError(error, `reading topic ${this.topic}`, this.options.brokers);
      this.fail(wrapped);
      throw wrapped;
    }
  }

  /**
   * Resolves once everything committed to the topic before this call has been passed to
   * `onMessage`. Rejects after `timeoutMs`.
   */
  async catchUp(timeoutMs: number): Promise<void> {
    await this.start();
    if (this.failure) throw this.failure;
    let offsets: Awaited<ReturnType<Admin['fetchTopicOffsets']>>;
    try {
      // ListOffsets with read_committed: the last stable offset of each partition.
      offsets = await this.admin.fetchTopicOffsets(this.topic);
    } catch (error) {
      throw kafkaError(error, `reading the end offsets of ${this.topic}`, this.options.brokers);
    }
    const targets = new Map<number, bigint>();
    for (const p of offsets) {
      const high = BigInt(p.high);
      if (high > BigInt(p.low)) targets.set(p.partition, high);
    }
    if (this.reached(targets)) return;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        targets,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          const behind = [...targets]
            .map(([p, t]) => `partition ${p} at ${this.positions.get(p) ?? 'start'} of ${t}`)
            .join(', ');
          reject(
            new KafkaSinkError(
              'STATE',
              `reading ${this.topic} did not catch up within ${timeoutMs} ms (${behind})`,
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

  private reached(targets: Map<number, bigint>): boolean {
    for (const [partition, target] of targets) {
      if ((this.positions.get(partition) ?? -1n) < target) return false;
    }
    return true;
  }

  private settle(): void {
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
    this.fail(new KafkaSinkError('STATE', `reader of ${this.topic} stopped`));
    if (!consumer) return;
    await this.starting?.catch(() => {});
    await consumer.disconnect().catch(() => {});
    await this.admin.deleteGroups([this.groupId]).catch(() => {});
  }
}

/** Reads a whole topic once, up to what was committed when the call started. */
export async function readTopicOnce(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  onMessage: (message: TailMessage) => void,
  options: { groupPrefix: string; brokers: string[]; timeoutMs: number },
): Promise<void> {
  const tail = new TopicTail(kafka, admin, topic, onMessage, options);
  try {
    await tail.catchUp(options.timeoutMs);
  } finally {
    await tail.stop();
  }
}
