import type { ConnectionOptions } from 'node:tls';
import type { EventBus, SchemaContractMode } from '@siphon/core';
import { confluentLoads } from './confluent/adapter.js';
import { KafkaSinkError } from './errors.js';
import { toBusEvent } from './events.js';
import { assertTopicName } from './naming.js';
import type { Compatibility, RegistryOptions } from './registry.js';
import { zstdAvailable } from './zstd.js';

export type Compression = 'none' | 'gzip' | 'zstd';

export interface SaslOptions {
  mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
  username: string;
  password: string;
}

/** Which Kafka client library the port runs on. */
export type KafkaClientName = 'kafkajs' | 'confluent';

export const KAFKA_CLIENTS: readonly KafkaClientName[] = ['kafkajs', 'confluent'];

/** The client `auto` stands for: the native one where its build loads (measured faster), else kafkajs. */
export function defaultKafkaClient(): KafkaClientName {
  return confluentLoads() ? 'confluent' : 'kafkajs';
}

export interface KafkaConnectionOptions {
  brokers: string[];
  /**
   * `confluent` is @confluentinc/kafka-javascript (librdkafka, a native build), `kafkajs` the pure
   * JavaScript client. Default `auto`: confluent where its native build loads (it is an optional
   * dependency that builds from source), else kafkajs. The choice follows `pnpm bench`.
   */
  client?: KafkaClientName | 'auto';
  clientId?: string;
  /** `true` for TLS with the system CAs, or Node TLS options (ca, cert, key, servername...). */
  ssl?: boolean | ConnectionOptions;
  sasl?: SaslOptions;
  /** ms; default 10 000. */
  connectionTimeout?: number;
  /** ms; default 30 000. */
  requestTimeout?: number;
  /**
   * ms; default 300 000. How long a writer keeps retrying (with backoff) while the brokers are
   * unreachable or answer with retriable errors before it fails its resource.
   */
  outageTimeout?: number;
}

export interface TopicOptions {
  /** Default `{prefix}.{source}.{resource}`; placeholders `{prefix}`, `{pipeline}`, `{source}`, `{resource}`. */
  template?: string;
  /** Default `siphon`. */
  prefix?: string | undefined;
  /** Partitions of new data topics. Default 1. */
  partitions?: number;
  /** Replication factor of new topics. Default: 3, or the number of brokers when fewer. */
  replicationFactor?: number | undefined;
  /** `min.insync.replicas` of new topics. Default: the broker's. */
  minInsyncReplicas?: number | undefined;
  /** Extra configs for new data topics, e.g. `{ "retention.ms": "604800000" }`. Not `cleanup.policy`. */
  configs?: Record<string, string>;
  /** Compacted topic holding every resource's state. Default `{prefix}._state`. */
  stateTopic?: string;
  /** Topic receiving records that cannot be written. Default `{prefix}._dlq`. */
  deadLetterTopic?: string;
}

export interface TransactionBoundary {
  /** Commit once this many records are in the open transaction. */
  records?: number;
  /** Commit once the open transaction is this old (checked on every page and by a timer). */
  intervalMs?: number;
  /** Commit every N pages (1 = every page). */
  pages?: number;
}

export interface ProducerOptions {
  /**
   * Default `zstd` (Node's built-in zlib zstd, no native add-on), or `gzip` on a Node without it;
   * see the README's measurements.
   */
  compression?: Compression;
  /**
   * Bytes per `sendBatch` (one record batch per partition); buffered data is sent once it reaches
   * this. Keep it below the broker's `message.max.bytes` (1 MB by default) when not compressing.
   * Default 512 KiB.
   */
  batchBytes?: number;
  /** Largest encoded record (key + value); bigger ones go to the dead-letter topic. Default 1 000 000. */
  maxRecordBytes?: number;
  /** A partial batch is sent after this many ms without reaching `batchBytes`. Default 100. */
  lingerMs?: number;
  /** Retries of a failed request before the transaction is recovered. Default 10. */
  retries?: number;
  /**
   * Worker threads that conform and Avro-encode pages off the main thread (one pool per sink).
   * Default 0: pages are encoded on the main thread, which measured cheaper in total CPU on a
   * 2-core machine (see the README).
   */
  encodeWorkers?: number;
}

/** pino-compatible. */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type KafkaSinkEvent =
  | { type: 'topic_created'; topic: string; cleanupPolicy: string; partitions: number }
  | { type: 'schema_registered'; subject: string; id: number; fields: number }
  | {
      type: 'transaction_committed';
      resource: string;
      records: number;
      tombstones: number;
      /** Key + value bytes of the records and tombstones this transaction wrote to the resource's topic. */
      bytes: number;
      durationMs: number;
    }
  | { type: 'dead_letter'; resource: string; error: string }
  | { type: 'discarded'; resource: string; what: 'row' | 'value'; detail: string }
  | {
      type: 'snapshot_deletes';
      resource: string;
      tombstones: number;
      scanned: number;
      /** Why no deletes were looked for (they are left to the next run that reads every page). */
      deferred?: 'resumed run';
    }
  | { type: 'producer_recreated'; resource: string; reason: string };

export interface KafkaSinkOptions {
  kafka: KafkaConnectionOptions;
  registry: RegistryOptions;
  topics?: TopicOptions | undefined;
  transactions?: {
    /** When to commit. Default `{ intervalMs: 1000 }` (see the README's measurements). */
    boundary?: TransactionBoundary;
    /** Broker-side transaction timeout; must not exceed `transaction.max.timeout.ms`. Default 60 000. */
    timeoutMs?: number;
  };
  producer?: ProducerOptions;
  /** Prefix of transactional ids `<prefix>-<pipeline>-<source>-<resource>`. Default: `topics.prefix`. */
  transactionalIdPrefix?: string;
  /** Contract for resources that do not declare one. Default `evolve`. */
  schemaContract?: SchemaContractMode;
  logger?: Logger;
  /** The bus the sink emits its events into, as `sink.<type>` (e.g. `sink.transaction_committed`). */
  events?: EventBus;
  /** @deprecated Subscribe to `sink.*` on `events` instead. Still called, with the same events under their short names. */
  onEvent?: (event: KafkaSinkEvent) => void;
}

/** Every property present and defined (`Required` keeps an explicit `| undefined`). */
type Defined<T> = { [K in keyof T]-?: Exclude<T[K], undefined> };

export interface ResolvedOptions {
  kafka: KafkaConnectionOptions & {
    client: KafkaClientName;
    clientId: string;
    connectionTimeout: number;
    requestTimeout: number;
    outageTimeout: number;
  };
  registry: RegistryOptions & { compatibility: Compatibility };
  topics: Defined<Omit<TopicOptions, 'replicationFactor' | 'minInsyncReplicas'>> &
    Pick<TopicOptions, 'replicationFactor' | 'minInsyncReplicas'>;
  transactions: { boundary: TransactionBoundary; timeoutMs: number };
  producer: Required<ProducerOptions>;
  transactionalIdPrefix: string;
  schemaContract: SchemaContractMode;
  logger: Logger | undefined;
  onEvent: (event: KafkaSinkEvent) => void;
}

export const DEFAULT_BOUNDARY: TransactionBoundary = Object.freeze({ intervalMs: 1000 });

function invalid(message: string): never {
  throw new KafkaSinkError('INVALID_OPTIONS', message);
}

function positiveInt(value: number | undefined, name: string, fallback: number): number;
function positiveInt(value: number | undefined, name: string): number | undefined;
function positiveInt(value: number | undefined, name: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) invalid(`${name} must be a positive integer, got ${value}`);
  return value;
}

function workerCount(value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0 || value > 64)
    invalid(`producer.encodeWorkers must be an integer from 0 to 64, got ${value}`);
  return value;
}

const CONTRACTS: SchemaContractMode[] = ['evolve', 'freeze', 'discard_row', 'discard_value'];

const resolvedSet = new WeakSet<object>();

/** Validates options once and fills in defaults; the result is frozen. Resolving twice is a no-op. */
export function resolveOptions(options: KafkaSinkOptions | ResolvedOptions): ResolvedOptions {
  if (!options || typeof options !== 'object') invalid('options are required');
  if (resolvedSet.has(options)) return options as ResolvedOptions;
  const resolved = resolveFresh(options as KafkaSinkOptions);
  resolvedSet.add(resolved);
  return resolved;
}

export type ResolvedConnection = ResolvedOptions['kafka'];

/** Validates `kafka` connection options and fills in their defaults. */
export function resolveConnection(kafka: KafkaConnectionOptions): ResolvedConnection {
  if (!kafka || !Array.isArray(kafka.brokers) || kafka.brokers.length === 0) {
    invalid('kafka.brokers must list at least one "host:port"');
  }
  for (const broker of kafka.brokers) {
    if (typeof broker !== 'string' || !/^[^\s:]+:\d{1,5}$/.test(broker.replace(/^\[.*\]/, 'ipv6'))) {
      invalid(`kafka.brokers: "${broker}" is not "host:port"`);
    }
  }
  if (kafka.sasl) {
    const mechanisms = ['plain', 'scram-sha-256', 'scram-sha-512'];
    if (!mechanisms.includes(kafka.sasl.mechanism)) {
      invalid(`kafka.sasl.mechanism "${kafka.sasl.mechanism}" is not one of ${mechanisms.join(', ')}`);
    }
    if (!kafka.sasl.username || typeof kafka.sasl.password !== 'string') {
      invalid('kafka.sasl needs username and password');
    }
  }
  if (kafka.client !== undefined && kafka.client !== 'auto' && !KAFKA_CLIENTS.includes(kafka.client)) {
    invalid(`kafka.client "${kafka.client}" is not one of auto, ${KAFKA_CLIENTS.join(', ')}`);
  }
  return {
    ...kafka,
    client: kafka.client === undefined || kafka.client === 'auto' ? defaultKafkaClient() : kafka.client,
    clientId: kafka.clientId ?? 'siphon',
    connectionTimeout: positiveInt(kafka.connectionTimeout, 'kafka.connectionTimeout', 10_000),
    requestTimeout: positiveInt(kafka.requestTimeout, 'kafka.requestTimeout', 30_000),
    outageTimeout: positiveInt(kafka.outageTimeout, 'kafka.outageTimeout', 300_000),
  };
}

function resolveFresh(options: KafkaSinkOptions): ResolvedOptions {
  const { registry } = options;
  const kafka = resolveConnection(options.kafka);
  if (!registry || typeof registry.url !== 'string' || registry.url === '')
    invalid('registry.url is required');

  const topics = options.topics ?? {};
  const prefix = topics.prefix ?? 'siphon';
  assertTopicName(prefix, 'topics.prefix');
  const configs = { ...(topics.configs ?? {}) };
  if ('cleanup.policy' in configs) {
    invalid("topics.configs must not set cleanup.policy: it follows each resource's write disposition");
  }
  const stateTopic = topics.stateTopic ?? `${prefix}._state`;
  const deadLetterTopic = topics.deadLetterTopic ?? `${prefix}._dlq`;
  assertTopicName(stateTopic, 'topics.stateTopic');
  assertTopicName(deadLetterTopic, 'topics.deadLetterTopic');

  const boundary = options.transactions?.boundary ?? DEFAULT_BOUNDARY;
  positiveInt(boundary.records, 'transactions.boundary.records');
  positiveInt(boundary.intervalMs, 'transactions.boundary.intervalMs');
  positiveInt(boundary.pages, 'transactions.boundary.pages');
  if (boundary.records === undefined && boundary.intervalMs === undefined && boundary.pages === undefined) {
    invalid('transactions.boundary needs records, intervalMs or pages');
  }
  const timeoutMs = positiveInt(options.transactions?.timeoutMs, 'transactions.timeoutMs', 60_000);
  if (boundary.intervalMs !== undefined && boundary.intervalMs >= timeoutMs) {
    invalid(
      `transactions.boundary.intervalMs (${boundary.intervalMs}) must be below transactions.timeoutMs (${timeoutMs})`,
    );
  }

  // zstd measured best (least CPU, smallest batches: see the README); gzip where Node lacks it.
  const compression = options.producer?.compression ?? (zstdAvailable() ? 'zstd' : 'gzip');
  if (!['none', 'gzip', 'zstd'].includes(compression)) {
    invalid(`producer.compression "${compression}" is not one of none, gzip, zstd`);
  }
  const schemaContract = options.schemaContract ?? 'evolve';
  if (!CONTRACTS.includes(schemaContract)) {
    invalid(`schemaContract "${schemaContract}" is not one of ${CONTRACTS.join(', ')}`);
  }
  const onEvent = options.onEvent ?? (() => {});
  const bus = options.events;

  return Object.freeze({
    kafka,
    registry: { ...registry, compatibility: registry.compatibility ?? 'BACKWARD' },
    topics: {
      template: topics.template ?? '{prefix}.{source}.{resource}',
      prefix,
      partitions: positiveInt(topics.partitions, 'topics.partitions', 1),
      replicationFactor: positiveInt(topics.replicationFactor, 'topics.replicationFactor'),
      minInsyncReplicas: positiveInt(topics.minInsyncReplicas, 'topics.minInsyncReplicas'),
      configs,
      stateTopic,
      deadLetterTopic,
    },
    transactions: { boundary: { ...boundary }, timeoutMs },
    producer: {
      compression,
      batchBytes: positiveInt(options.producer?.batchBytes, 'producer.batchBytes', 512 * 1024),
      maxRecordBytes: positiveInt(options.producer?.maxRecordBytes, 'producer.maxRecordBytes', 1_000_000),
      lingerMs: positiveInt(options.producer?.lingerMs, 'producer.lingerMs', 100),
      retries: positiveInt(options.producer?.retries, 'producer.retries', 10),
      encodeWorkers: workerCount(options.producer?.encodeWorkers),
    },
    transactionalIdPrefix: options.transactionalIdPrefix ?? prefix,
    schemaContract,
    logger: options.logger,
    onEvent: (event: KafkaSinkEvent) => {
      try {
        onEvent(event);
      } catch {
        // A listener's failure must never break a transaction.
      }
      bus?.emit(toBusEvent(event));
    },
  });
}
