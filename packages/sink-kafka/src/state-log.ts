/**
 * The state topic read the way Kafka Connect's KafkaBasedLog reads its offsets topic: one reader
 * per process and topic, started once, tailing it for as long as anyone uses it, and shared by
 * every pipeline, resource and store of the process. Reads answer from memory once the reader has
 * caught up with what was committed when they asked. Where the client can only read through a
 * consumer group (kafkajs), that is one group per process and state topic, deleted when the last
 * user releases the log.
 */
import type { Logger } from './options.js';
import type { ConsumedMessage, KafkaPort } from './port.js';
import { TopicTail } from './reader.js';

export type StateLogListener = (message: ConsumedMessage) => void;

export interface StateLogOptions {
  port: KafkaPort;
  topic: string;
  brokers: string[];
  logger?: Logger | undefined;
  /** Makes sure the topic exists; called once, before the reader starts. */
  ensureTopic: () => Promise<void>;
  /** Closed with the log when the log owns it. */
  ownsPort: boolean;
}

export class StateLog {
  private readonly listeners = new Set<StateLogListener>();
  private readonly tail: TopicTail;
  private ready: Promise<void> | undefined;

  constructor(private readonly options: StateLogOptions) {
    this.tail = new TopicTail(options.port, options.topic, (m) => this.dispatch(m), {
      name: options.topic,
      brokers: options.brokers,
      logger: options.logger,
    });
  }

  /** Every message read, in order, from subscription on (the caller catches up first). */
  subscribe(listener: StateLogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dispatch(message: ConsumedMessage): void {
    for (const listener of this.listeners) listener(message);
  }

  /** Resolves once everything committed to the topic before this call has been dispatched. */
  async catchUp(timeoutMs: number): Promise<void> {
    this.ready ??= this.options.ensureTopic().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    await this.tail.catchUp(timeoutMs);
  }

  async stop(): Promise<void> {
    await this.tail.stop();
    if (this.options.ownsPort) await this.options.port.close();
  }
}

interface Shared {
  log: StateLog;
  users: number;
  /** Messages read so far, replayed to late subscribers so they start from the same picture. */
  history: Map<string, ConsumedMessage>;
}

/** Logs on ports the process made itself, by cluster and topic; on injected ports, by port. */
const byClusterTopic = new Map<string, Shared>();
const byPort = new WeakMap<KafkaPort, Map<string, Shared>>();

export interface StateLogLease {
  log: StateLog;
  /** The latest message per key read so far (a late user's starting picture). */
  latest(): Iterable<ConsumedMessage>;
  /** Gives the log up; the last user stops it (and deletes its consumer group). */
  release(): Promise<void>;
}

/**
 * The process's log of `topic`. `cluster` identifies a cluster for logs on ports the log makes
 * itself (`create` is called once per cluster and topic); with an injected port, the port does.
 */
export function acquireStateLog(
  id: { cluster: string; topic: string } | { port: KafkaPort; topic: string },
  create: () => StateLog,
): StateLogLease {
  let registry: Map<string, Shared>;
  let key: string;
  if ('port' in id) {
    registry = byPort.get(id.port) ?? new Map();
    byPort.set(id.port, registry);
    key = id.topic;
  } else {
    registry = byClusterTopic;
    key = `${id.cluster}\u0000${id.topic}`;
  }
  let shared = registry.get(key);
  if (!shared) {
    const log = create();
    const history = new Map<string, ConsumedMessage>();
    log.subscribe((m) => {
      if (m.key) history.set(m.key.toString('latin1'), m);
    });
    shared = { log, users: 0, history };
    registry.set(key, shared);
  }
  shared.users++;
  const entry = shared;
  let released = false;
  return {
    log: entry.log,
    latest: () => entry.history.values(),
    async release() {
      if (released) return;
      released = true;
      entry.users--;
      if (entry.users > 0) return;
      if (registry.get(key) === entry) registry.delete(key);
      await entry.log.stop();
    },
  };
}
