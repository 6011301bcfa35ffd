/**
 * Reads topics from the beginning with `read_committed` through the port's log reader, and knows
 * when it has caught up with everything committed so far (the end offsets taken at the call).
 */
import { retry } from '@siphon/core';
import { kafkaError } from './broker-errors.js';
import { KafkaSinkError } from './errors.js';
import type { Logger } from './options.js';
import type { ConsumedMessage, KafkaPort, LogReader, PartitionOffsets, WrittenOffset } from './port.js';
import { type SettlePolicy, untilSettled } from './settle.js';

export type TailMessage = ConsumedMessage;

/** Handles one message; a returned promise is awaited before the next (backpressure). */
export type TailHandler = (message: TailMessage) => void | Promise<void>;

export interface TailOptions {
  /** Names the reader (and its consumer group where the client needs one). */
  name: string;
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

/** Committed records are not readable yet: the broker has not written their transaction markers. */
class MarkersPendingError extends KafkaSinkError {
  constructor(message: string) {
    super('STATE', message, { retriable: true });
  }
}

export class TopicTail {
  private reader: LogReader | undefined;
  /** Next offset to read, per `topic[partition]`. */
  private readonly positions = new Map<string, bigint>();
  private readonly waiters = new Set<Waiter>();
  private failure: unknown;
  private starting: Promise<void> | undefined;
  readonly topics: readonly string[];

  constructor(
    private readonly port: KafkaPort,
    topics: string | readonly string[],
    private readonly onMessage: TailHandler,
    private readonly options: TailOptions,
  ) {
    this.topics = typeof topics === 'string' ? [topics] : [...new Set(topics)];
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
    const reader = this.port.logReader(
      this.topics,
      {
        onMessage: (m) => this.onMessage(m),
        onProgress: (topic, partition, next) => {
          if (this.failure) return;
          const id = position(topic, partition);
          if (next > (this.positions.get(id) ?? -1n)) this.positions.set(id, next);
          this.resolveWaiters();
        },
        onError: (error) => this.fail(error),
      },
      { name: this.options.name },
    );
    this.reader = reader;
    try {
      await this.settle(`starting the reader of ${this.names}`, () => reader.start());
    } catch (error) {
      const wrapped = kafkaError(error, `reading ${this.names}`, this.options.brokers);
      this.fail(wrapped);
      throw wrapped;
    }
  }

  /**
   * Resolves once everything committed to the topics before this call has been passed to
   * `onMessage` (and its promise settled). Rejects after `timeoutMs`, or with the handler's error.
   *
   * A commit is acknowledged before its markers are written to the partitions, and until they are
   * the end offsets do not include it. A writer that must read its own commits back passes what
   * they wrote (`KafkaTransaction.commit`'s answer) as `written`: the end offsets are then read
   * again until they include those offsets.
   */
  async catchUp(timeoutMs: number, written: readonly WrittenOffset[] = []): Promise<void> {
    await this.start();
    if (this.failure) throw this.failure;
    const deadline = Date.now() + timeoutMs;
    const targets = await this.endsCovering(
      written.filter((w) => this.topics.includes(w.topic)),
      deadline,
    );
    // A handler can fail while the end offsets are fetched; its batch still counts as processed.
    if (this.failure) throw this.failure;
    if (this.reached(targets)) return;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        targets,
        resolve,
        reject,
        timer: setTimeout(
          () => {
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
          },
          Math.max(0, deadline - Date.now()),
        ),
      };
      this.waiters.add(waiter);
    });
  }

  private async endOffsets(topic: string): Promise<PartitionOffsets[]> {
    return (await this.port.admin()).topicOffsets(topic);
  }

  /** Per partition, the offset a `read_committed` reader can reach now (the last stable offset). */
  private async readEnds(): Promise<{ ends: Map<string, bigint>; targets: Map<string, bigint> }> {
    const ends = new Map<string, bigint>();
    const targets = new Map<string, bigint>();
    for (const topic of this.topics) {
      let offsets: PartitionOffsets[];
      try {
        // ListOffsets with read_committed: the last stable offset of each partition.
        offsets = await this.settle(`reading the end offsets of ${topic}`, () => this.endOffsets(topic));
      } catch (error) {
        throw kafkaError(error, `reading the end offsets of ${topic}`, this.options.brokers);
      }
      for (const p of offsets) {
        const id = position(topic, p.partition);
        const high = BigInt(p.high);
        ends.set(id, high);
        if (high > BigInt(p.low)) targets.set(id, high);
      }
    }
    return { ends, targets };
  }

  /**
   * The end offsets of the non-empty partitions (what `catchUp` waits for), read again until they
   * are past every offset in `written`.
   */
  private endsCovering(written: readonly WrittenOffset[], deadline: number): Promise<Map<string, bigint>> {
    return retry(
      async () => {
        const { ends, targets } = await this.readEnds();
        const unmarked = written.filter(
          (w) => (ends.get(position(w.topic, w.partition)) ?? 0n) <= BigInt(w.offset),
        );
        if (unmarked.length === 0) return targets;
        const which = unmarked.map((w) => `${position(w.topic, w.partition)} at ${w.offset}`).join(', ');
        throw new MarkersPendingError(
          `reading ${this.names}: committed records (${which}) did not become readable before the deadline; their transaction markers were not written`,
        );
      },
      {
        initialDelayMs: 5,
        maxDelayMs: 250,
        jitter: 'none',
        deadlineMs: Math.max(0, deadline - Date.now()),
        // Only the markers are waited for here; the end offsets' own reads settle in readEnds.
        retriable: (error) => error instanceof MarkersPendingError,
      },
    );
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
    const reader = this.reader;
    this.reader = undefined;
    this.fail(new KafkaSinkError('STATE', `reader of ${this.names} stopped`));
    if (!reader) return;
    await this.starting?.catch(() => {});
    await reader.stop();
  }
}

/** Reads whole topics once, up to what was committed when the call started (and `written`). */
export async function scanTopics(
  port: KafkaPort,
  topics: string | readonly string[],
  onMessage: TailHandler,
  options: TailOptions & { timeoutMs: number; written?: readonly WrittenOffset[] },
): Promise<void> {
  const tail = new TopicTail(port, topics, onMessage, options);
  try {
    await tail.catchUp(options.timeoutMs, options.written);
  } finally {
    await tail.stop();
  }
}
