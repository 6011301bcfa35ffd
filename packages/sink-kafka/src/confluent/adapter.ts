/**
 * The Kafka port on `@confluentinc/kafka-javascript` (librdkafka): its native producer for
 * transactions and plain writes (batching and compression off the main thread), and its native
 * consumer with assigned partitions for log readers, so reading state joins no consumer group at
 * all. librdkafka's JavaScript binding has no DescribeConfigs and no custom group assignors: admin
 * calls and the runner's scale-out group membership go through the kafkajs adapter.
 *
 * The package is a native add-on, loaded on first use so that an install where it could not be
 * built still runs with `kafka.client: kafkajs`.
 */
import { createRequire } from 'node:module';
import type { Compression } from '../config.js';
import { KafkaSinkError } from '../errors.js';
import type { ClientOptions } from '../kafka-port.js';
import { createKafkaJsPort } from '../kafkajs/adapter.js';
import type { Logger } from '../options.js';
import { keyAt, packedCount, valueAt } from '../packed.js';
import type * as Port from '../port.js';
import { WrittenOffsets } from '../written-offsets.js';

// The binding's types are loose callbacks; only what is used here is described.
type Callback<T = unknown> = (error: RdError | null | undefined, result: T) => void;

interface RdError extends Error {
  code: number;
  isFatal?: boolean;
  isRetriable?: boolean;
  isTxnRequiresAbort?: boolean;
}

interface RdClient {
  connect(options: object | undefined, cb: Callback): void;
  disconnect(cb: Callback): void;
  on(event: string, listener: (...args: never[]) => void): void;
  setPollInterval?(ms: number): void;
}

interface RdProducer extends RdClient {
  produce(
    topic: string,
    partition: number | null,
    value: Buffer | null,
    key: Buffer | null,
    timestamp: number,
    opaque: unknown,
    headers: Array<Record<string, string | Buffer>>,
  ): void;
  poll(): void;
  flush(timeoutMs: number, cb: Callback): void;
  initTransactions(timeoutMs: number, cb: Callback): void;
  beginTransaction(cb: Callback): void;
  commitTransaction(timeoutMs: number, cb: Callback): void;
  abortTransaction(timeoutMs: number, cb: Callback): void;
}

interface RdMessage {
  topic: string;
  partition: number;
  offset: number;
  key?: Buffer | null;
  value: Buffer | null;
  headers?: Array<Record<string, Buffer | string>>;
}

interface RdConsumer extends RdClient {
  assign(assignments: Array<{ topic: string; partition: number; offset: number }>): void;
  consume(count: number, cb: Callback<RdMessage[]>): void;
  position(): Array<{ topic: string; partition: number; offset: number }>;
  setDefaultConsumeTimeout(ms: number): void;
}

interface Binding {
  Producer: new (conf: Record<string, unknown>) => RdProducer;
  KafkaConsumer: new (conf: Record<string, unknown>, topicConf: Record<string, unknown>) => RdConsumer;
}

let binding: Binding | undefined;

function load(): Binding {
  if (binding) return binding;
  try {
    const require = createRequire(import.meta.url);
    binding = require('@confluentinc/kafka-javascript') as Binding;
    return binding;
  } catch (error) {
    throw new KafkaSinkError(
      'INVALID_OPTIONS',
      `kafka.client "confluent" needs @confluentinc/kafka-javascript and its native build (librdkafka), which failed to load: ${(error as Error).message}. Use kafka.client "kafkajs", or see packages/sink-kafka/README.md for the build`,
      { cause: error },
    );
  }
}

/** True when the native binding loads here (it is an optional dependency built from source). */
export function confluentLoads(): boolean {
  try {
    load();
    return true;
  } catch {
    return false;
  }
}

/** librdkafka's error codes (broker codes are Kafka's; local ones are negative) by Kafka's names. */
const ERROR_NAMES: Record<number, string> = {
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  6: 'NOT_LEADER_OR_FOLLOWER',
  10: 'MESSAGE_TOO_LARGE',
  14: 'COORDINATOR_LOAD_IN_PROGRESS',
  15: 'COORDINATOR_NOT_AVAILABLE',
  16: 'NOT_COORDINATOR',
  18: 'RECORD_LIST_TOO_LARGE',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  47: 'INVALID_PRODUCER_EPOCH',
  51: 'CONCURRENT_TRANSACTIONS',
  53: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  87: 'INVALID_RECORD',
  90: 'PRODUCER_FENCED',
  [-144]: 'PRODUCER_FENCED',
};
/** Local codes for a broker that cannot be reached (transport failure, all brokers down). */
const CONNECTION_CODES = new Set([-195, -187]);

/** Puts the answer on the error the way broker-errors.ts reads it. */
function brokerError(error: RdError | Error, what: string): Error {
  const rd = error as RdError;
  const code = typeof rd.code === 'number' ? rd.code : undefined;
  // A plain Error on purpose: it imitates a kafkajs broker error (numeric `code`, `type`,
  // `retriable`) for broker-errors.ts, whose kafkaError() turns it into a KafkaSinkError.
  const wrapped = new Error(`${what}: ${error.message}`, { cause: error });
  return Object.assign(wrapped, {
    name: code !== undefined && CONNECTION_CODES.has(code) ? 'KafkaConnectionError' : 'KafkaProtocolError',
    ...(code !== undefined ? { code, type: ERROR_NAMES[code] ?? `LIBRDKAFKA_${code}` } : {}),
    retriable: rd.isRetriable === true && rd.isFatal !== true,
  });
}

function call<T = unknown>(what: string, fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((error, result) => (error ? reject(brokerError(error, what)) : resolve(result)));
  });
}

const CODECS: Record<Compression, string> = { none: 'none', gzip: 'gzip', zstd: 'zstd' };

/** librdkafka settings for the connection options (brokers, TLS, SASL, timeouts). */
function connectionConfig(options: ClientOptions, suffix: string): Record<string, unknown> {
  const { kafka } = options;
  const ssl = kafka.ssl !== undefined && kafka.ssl !== false;
  const conf: Record<string, unknown> = {
    'bootstrap.servers': kafka.brokers.join(','),
    'client.id': `${kafka.clientId}${suffix}`,
    'socket.connection.setup.timeout.ms': kafka.connectionTimeout,
    'security.protocol': kafka.sasl ? (ssl ? 'sasl_ssl' : 'sasl_plaintext') : ssl ? 'ssl' : 'plaintext',
    // librdkafka logs through its own channel; errors reach the caller through the calls.
    log_level: 3,
  };
  if (kafka.sasl) {
    conf['sasl.mechanisms'] = kafka.sasl.mechanism.toUpperCase();
    conf['sasl.username'] = kafka.sasl.username;
    conf['sasl.password'] = kafka.sasl.password;
  }
  if (typeof kafka.ssl === 'object') {
    const { ca, cert, key, rejectUnauthorized } = kafka.ssl;
    if (ca) conf['ssl.ca.pem'] = String(ca);
    if (cert) conf['ssl.certificate.pem'] = String(cert);
    if (key) conf['ssl.key.pem'] = String(key);
    if (rejectUnauthorized === false) conf['enable.ssl.certificate.verification'] = false;
  }
  return conf;
}

export function createConfluentPort(options: ClientOptions): Port.KafkaPort {
  load();
  return new ConfluentPort(options);
}

class ConfluentPort implements Port.KafkaPort {
  readonly clientName = 'confluent';
  readonly brokers: readonly string[];
  /** For what librdkafka's JavaScript binding lacks (DescribeConfigs, custom assignors). */
  private readonly kafkajs: Port.KafkaPort;

  constructor(private readonly options: ClientOptions) {
    this.brokers = options.kafka.brokers;
    this.kafkajs = createKafkaJsPort(options);
  }

  admin(): Promise<Port.KafkaAdmin> {
    return this.kafkajs.admin();
  }

  transactionalProducer(options: Port.TransactionalProducerOptions): Port.TransactionalProducer {
    return new ConfluentTransactionalProducer(this.options, options);
  }

  producer(): Port.PlainProducer {
    return new ConfluentPlainProducer(this.options);
  }

  logReader(
    topics: readonly string[],
    handlers: Port.LogReaderHandlers,
    options: Port.LogReaderOptions,
  ): Port.LogReader {
    return new ConfluentLogReader(this.options, () => this.admin(), topics, handlers, options);
  }

  groupMembership(spec: Port.GroupMembershipSpec): Port.GroupMembership {
    return this.kafkajs.groupMembership(spec);
  }

  close(): Promise<void> {
    return this.kafkajs.close();
  }
}

function headersOf(headers: Port.KafkaMessage['headers']): Array<Record<string, string | Buffer>> {
  return Object.entries(headers ?? {}).map(([name, value]) => ({ [name]: value }));
}

const QUEUE_FULL = -184;

/**
 * `produce` only enqueues (librdkafka copies key, value and headers); a full local queue is
 * drained by polling, then tried again. A packed page goes in as slices of its buffer, with one
 * headers array for all its messages.
 */
async function produceAll(
  producer: RdProducer,
  batches: readonly Port.TopicMessages[],
  opaque?: () => unknown,
) {
  const enqueue = async (
    topic: string,
    partition: number | null,
    value: Buffer | null,
    key: Buffer | null,
    headers: Array<Record<string, string | Buffer>>,
  ) => {
    for (;;) {
      try {
        producer.produce(topic, partition, value, key, Date.now(), opaque?.(), headers);
        return;
      } catch (error) {
        if ((error as RdError).code !== QUEUE_FULL)
          throw brokerError(error as RdError, `producing to ${topic}`);
        producer.poll();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  };
  for (const batch of batches) {
    const { topic } = batch;
    if ('packed' in batch) {
      const { packed } = batch;
      const headers = headersOf(packed.headers);
      const n = packedCount(packed);
      for (let i = 0; i < n; i++) await enqueue(topic, null, valueAt(packed, i), keyAt(packed, i), headers);
    } else {
      for (const m of batch.messages)
        await enqueue(topic, m.partition ?? null, m.value, m.key, headersOf(m.headers));
    }
  }
}

interface DeliveryReport {
  topic: string;
  partition: number;
  offset: number;
}

class ConfluentTransaction implements Port.KafkaTransaction {
  private active = true;
  private produced = 0;
  private reported = 0;
  private readonly written = new WrittenOffsets();
  private allReported: (() => void) | undefined;

  constructor(
    private readonly producer: RdProducer,
    private readonly timeoutMs: number,
  ) {}

  async send(batches: Port.TopicMessages[]): Promise<void> {
    for (const batch of batches)
      this.produced += 'packed' in batch ? packedCount(batch.packed) : batch.messages.length;
    await produceAll(this.producer, batches);
  }

  /** A delivery report of one of this transaction's messages (librdkafka's only source of offsets). */
  delivered(report: DeliveryReport): void {
    this.reported++;
    this.written.note(report.topic, report.partition, report.offset);
    if (this.reported >= this.produced) this.allReported?.();
  }

  async commit(): Promise<Port.WrittenOffset[]> {
    // Flushes what is queued, then EndTxn: a failed delivery fails the commit.
    await call('committing the transaction', (cb) => this.producer.commitTransaction(this.timeoutMs, cb));
    this.active = false;
    // Every message was delivered; their reports reach JavaScript on the next poll.
    if (this.reported < this.produced) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.allReported = resolve;
        // Bounded: a report that never comes costs a reader only the wait for the markers.
        timer = setTimeout(resolve, this.timeoutMs);
        this.producer.poll();
      });
      clearTimeout(timer);
    }
    return this.written.list();
  }

  async abort(): Promise<void> {
    await call('aborting the transaction', (cb) => this.producer.abortTransaction(this.timeoutMs, cb));
    this.active = false;
  }

  isActive(): boolean {
    return this.active;
  }
}

class ConfluentTransactionalProducer implements Port.TransactionalProducer {
  private producer: RdProducer | undefined;
  private current: ConfluentTransaction | undefined;

  constructor(
    private readonly client: ClientOptions,
    private readonly options: Port.TransactionalProducerOptions,
  ) {}

  async init(): Promise<void> {
    const { Producer } = load();
    const { transactionalId, transactionTimeoutMs, compression } = this.options;
    const producer = new Producer({
      ...connectionConfig(this.client, ''),
      'transactional.id': transactionalId,
      'enable.idempotence': true,
      'transaction.timeout.ms': transactionTimeoutMs,
      // The partition Java clients and kafkajs pick for a key: a compacted topic keeps one value per key per partition.
      partitioner: 'murmur2_random',
      'compression.codec': CODECS[compression ?? 'none'],
      'linger.ms': 5,
      // Delivery reports carry the offsets written, which `commit` returns.
      dr_cb: true,
    });
    producer.on('delivery-report', ((error: RdError | null, report: DeliveryReport) => {
      if (!error) this.current?.delivered(report);
    }) as never);
    try {
      await call('connecting the producer', (cb) => producer.connect(undefined, cb));
      producer.setPollInterval?.(100);
      await call(`initialising transactions for "${transactionalId}"`, (cb) =>
        producer.initTransactions(this.client.kafka.requestTimeout + transactionTimeoutMs, cb),
      );
    } catch (error) {
      await call('disconnecting', (cb) => producer.disconnect(cb)).catch(() => {});
      throw error;
    }
    this.producer = producer;
  }

  async begin(): Promise<Port.KafkaTransaction> {
    const producer = this.producer;
    if (!producer)
      throw new KafkaSinkError(
        'PRODUCER_NOT_READY',
        `producer "${this.options.transactionalId}" is not initialised`,
      );
    await call('beginning a transaction', (cb) => producer.beginTransaction(cb));
    this.current = new ConfluentTransaction(producer, this.options.transactionTimeoutMs);
    return this.current;
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await call('disconnecting', (cb) => producer.disconnect(cb)).catch(() => {});
  }
}

/** Idempotent, acks = all; resolves once every message's delivery report arrived. */
class ConfluentPlainProducer implements Port.PlainProducer {
  private connecting: Promise<RdProducer> | undefined;
  private readonly pending = new Map<
    number,
    { resolve: (partition: number) => void; reject: (e: Error) => void }
  >();
  private next = 0;

  constructor(private readonly client: ClientOptions) {}

  private connected(): Promise<RdProducer> {
    this.connecting ??= (async () => {
      const { Producer } = load();
      const producer = new Producer({
        ...connectionConfig(this.client, ''),
        'enable.idempotence': true,
        partitioner: 'murmur2_random',
        dr_cb: true,
      });
      producer.on('delivery-report', ((
        error: RdError | null,
        report: { opaque: number; partition: number },
      ) => {
        const waiter = this.pending.get(report.opaque);
        if (!waiter) return;
        this.pending.delete(report.opaque);
        if (error) waiter.reject(brokerError(error, 'delivering a message'));
        else waiter.resolve(report.partition);
      }) as never);
      try {
        await call('connecting the producer', (cb) => producer.connect(undefined, cb));
      } catch (error) {
        this.connecting = undefined;
        throw error;
      }
      producer.setPollInterval?.(20);
      return producer;
    })();
    return this.connecting;
  }

  async send(topic: string, messages: Port.KafkaMessage[]): Promise<number[]> {
    const producer = await this.connected();
    const delivered: Array<Promise<number>> = [];
    await produceAll(producer, [{ topic, messages }], () => {
      const id = this.next++;
      delivered.push(new Promise((resolve, reject) => this.pending.set(id, { resolve, reject })));
      return id;
    });
    return [...new Set(await Promise.all(delivered))];
  }

  async close(): Promise<void> {
    const producer = await this.connecting?.catch(() => undefined);
    this.connecting = undefined;
    if (producer) await call('disconnecting', (cb) => producer.disconnect(cb)).catch(() => {});
  }
}

const OFFSET_BEGINNING = -2;

/**
 * Reads assigned partitions from the beginning, `read_committed`, and joins no group: nothing is
 * ever committed, so `group.id` (which librdkafka requires) names no group on the broker.
 */
class ConfluentLogReader implements Port.LogReader {
  private consumer: RdConsumer | undefined;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: ClientOptions,
    private readonly admin: () => Promise<Port.KafkaAdmin>,
    private readonly topics: readonly string[],
    private readonly handlers: Port.LogReaderHandlers,
    private readonly options: Port.LogReaderOptions & { logger?: Logger },
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    const { KafkaConsumer } = load();
    const admin = await this.admin();
    const assignments: Array<{ topic: string; partition: number; offset: number }> = [];
    for (const topic of this.topics) {
      for (const p of await admin.partitions(topic)) {
        assignments.push({ topic, partition: p.partition, offset: OFFSET_BEGINNING });
      }
    }
    const consumer = new KafkaConsumer(
      {
        ...connectionConfig(this.client, '-reader'),
        'group.id': `${this.options.name}-assigned`,
        'enable.auto.commit': false,
        'enable.auto.offset.store': false,
        'isolation.level': this.options.readUncommitted ? 'read_uncommitted' : 'read_committed',
        'fetch.max.bytes': 1024 * 1024,
        'max.partition.fetch.bytes': 1024 * 1024,
      },
      { 'auto.offset.reset': 'earliest' },
    );
    await call('connecting the reader', (cb) => consumer.connect(undefined, cb));
    consumer.assign(assignments);
    consumer.setDefaultConsumeTimeout(500);
    this.consumer = consumer;
    this.running = true;
    this.loop = this.poll(consumer);
  }

  private async poll(consumer: RdConsumer): Promise<void> {
    while (this.running) {
      let batch: RdMessage[];
      try {
        batch = await call<RdMessage[]>('reading', (cb) => consumer.consume(500, cb));
      } catch (error) {
        if ((error as { retriable?: boolean }).retriable) continue;
        this.running = false;
        this.handlers.onError(error);
        return;
      }
      for (const m of batch) {
        if (!this.running) return;
        const headers: Port.ConsumedMessage['headers'] = {};
        for (const h of m.headers ?? []) Object.assign(headers, h);
        try {
          await this.handlers.onMessage({
            topic: m.topic,
            partition: m.partition,
            offset: String(m.offset),
            key: m.key ?? null,
            value: m.value,
            headers,
          });
        } catch (error) {
          this.running = false;
          this.handlers.onError(error);
          return;
        }
        this.handlers.onProgress(m.topic, m.partition, BigInt(m.offset) + 1n);
      }
      // The position skips transaction markers, which are never handed over as messages.
      for (const p of consumer.position()) {
        if (p.offset >= 0) this.handlers.onProgress(p.topic, p.partition, BigInt(p.offset));
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => {});
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer) await call('disconnecting the reader', (cb) => consumer.disconnect(cb)).catch(() => {});
  }
}
