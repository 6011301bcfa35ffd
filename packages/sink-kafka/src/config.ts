/**
 * The Kafka sink's configuration, as written in a pipelines file (snake_case keys, durations such
 * as `30s`), parsed once into the frozen, typed values the sink runs on. These schemas are the
 * sink's one parser: the runner embeds them in its pipelines-file schema (so a bad value is
 * reported with the file, line and key), and `resolveOptions` parses a programmatic config with
 * the same ones. Nothing downstream validates again.
 */
import type { ConnectionOptions } from 'node:tls';
import {
  clampTimerDelay,
  durationSchema,
  SCHEMA_CONTRACT_MODES,
  type SchemaContractMode,
} from '@siphon/core';
import { z } from 'zod';
import { confluentLoads } from './confluent/adapter.js';
import { KafkaSinkError } from './errors.js';
import { legalTopicName } from './naming.js';
import type { Compatibility } from './registry.js';
import { zstdAvailable } from './zstd.js';

export const COMPRESSIONS = ['none', 'gzip', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** Which Kafka client library the port runs on. */
export type KafkaClientName = 'kafkajs' | 'confluent';

export const KAFKA_CLIENTS: readonly KafkaClientName[] = ['kafkajs', 'confluent'];

/** The client `auto` stands for: the native one where its build loads (measured faster), else kafkajs. */
export function defaultKafkaClient(): KafkaClientName {
  return confluentLoads() ? 'confluent' : 'kafkajs';
}

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
const COMPATIBILITIES = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const satisfies readonly Compatibility[];

export interface SaslOptions {
  mechanism: (typeof SASL_MECHANISMS)[number];
  username: string;
  password: string;
}

/** The `kafka` block, parsed: how every client of the sink connects. */
export interface ResolvedConnection {
  brokers: string[];
  /** `auto` resolved: confluent where its native build loads, else kafkajs. */
  client: KafkaClientName;
  clientId: string;
  /** `true` for TLS with the system CAs, or Node TLS options. */
  ssl: boolean | ConnectionOptions;
  sasl?: SaslOptions;
  /** ms */
  connectionTimeout: number;
  /** ms */
  requestTimeout: number;
  /** ms a writer keeps retrying (with backoff) while the brokers are unreachable. */
  outageTimeout: number;
}

/** The `registry` block, parsed. */
export interface ResolvedRegistry {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`. */
  url: string;
  auth?: { username: string; password: string };
  /** Level set on the subjects the sink creates. */
  compatibility: Compatibility;
  /** Per request, ms. */
  timeoutMs?: number;
  /** Attempts for network errors and 5xx answers. */
  attempts?: number;
}

/** The `topics` block, parsed. */
export interface ResolvedTopics {
  /** Placeholders `{prefix}`, `{pipeline}`, `{source}`, `{resource}`. */
  template: string;
  prefix: string;
  /** Partitions of new data topics. */
  partitions: number;
  /** Replication factor of new topics; when absent, 3 or the number of brokers when fewer. */
  replicationFactor?: number;
  /** `min.insync.replicas` of new topics; when absent, the broker's. */
  minInsyncReplicas?: number;
  /** Extra configs of new data topics (never `cleanup.policy`). */
  configs: Record<string, string>;
  /** Compacted topic holding every resource's state. */
  stateTopic: string;
  /** Topic receiving records that cannot be written. */
  deadLetterTopic: string;
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
  /** `zstd` where Node has it (least CPU, smallest batches: see the README), else `gzip`. */
  compression: Compression;
  /** Bytes per `sendBatch`; keep below the broker's `message.max.bytes` when not compressing. */
  batchBytes: number;
  /** Largest encoded record (key + value); bigger ones go to the dead-letter topic. */
  maxRecordBytes: number;
  /** A partial batch is sent after this many ms without reaching `batchBytes`. */
  lingerMs: number;
  /** Retries of a failed request before the transaction is recovered. */
  retries: number;
  /** Worker threads that conform and encode pages off the main thread; 0 encodes on it. */
  encodeWorkers: number;
}

/** The `sink` block, parsed: transactions and producer tuning. */
export interface ResolvedTuning {
  transactions: { boundary: TransactionBoundary; timeoutMs: number };
  producer: ProducerOptions;
  /** Prefix of transactional ids; when absent, `topics.prefix`. */
  transactionalIdPrefix?: string;
  /** Contract for resources that do not declare one. */
  schemaContract: SchemaContractMode;
}

export const DEFAULT_BOUNDARY: TransactionBoundary = Object.freeze({ intervalMs: 1000 });

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const positiveInt = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1');
const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
/** A duration handed to a client library as a plain timer delay (beyond 24.8 days it would fire at once). */
const timerDelay = durationSchema.transform(clampTimerDelay);

/** `host:port`, the host possibly an IPv6 address in brackets. */
function isBroker(broker: string): boolean {
  return /^[^\s:]+:\d{1,5}$/.test(broker.replace(/^\[.*\]/, 'ipv6'));
}

const brokerList = z
  .union([z.array(nonEmpty), z.string().transform((s) => s.split(',').map((b) => b.trim()))])
  .pipe(
    z.array(z.string().refine(isBroker, 'each broker must be host:port')).min(1, 'needs at least one broker'),
  );

const frozen = Object.freeze;

export const kafkaConfigSchema = z
  .strictObject({
    brokers: brokerList,
    client_id: nonEmpty.default('siphon'),
    /**
     * The Kafka client library: confluent (@confluentinc/kafka-javascript, librdkafka) or kafkajs;
     * auto (default) is confluent where its native build loads, else kafkajs.
     */
    client: z
      .enum(['auto', ...KAFKA_CLIENTS], { error: 'expected "auto", "confluent" or "kafkajs"' })
      .default('auto'),
    ssl: z
      .union([
        boolish,
        z.strictObject({
          ca: z.string().optional(),
          cert: z.string().optional(),
          key: z.string().optional(),
          servername: z.string().optional(),
          reject_unauthorized: boolish.optional(),
        }),
      ])
      .default(false),
    sasl: z
      .strictObject({ mechanism: z.enum(SASL_MECHANISMS), username: nonEmpty, password: nonEmpty })
      .optional(),
    connection_timeout: timerDelay.default(10_000),
    request_timeout: timerDelay.default(30_000),
    /** How long a resource keeps retrying, with backoff, while the brokers are unavailable. */
    outage_timeout: timerDelay.default(300_000),
  })
  .transform(
    (k): ResolvedConnection =>
      frozen({
        brokers: Object.freeze(k.brokers) as string[],
        client: k.client === 'auto' ? defaultKafkaClient() : k.client,
        clientId: k.client_id,
        ssl: typeof k.ssl === 'object' ? tlsOptions(k.ssl) : k.ssl,
        ...(k.sasl ? { sasl: Object.freeze(k.sasl) } : {}),
        connectionTimeout: k.connection_timeout,
        requestTimeout: k.request_timeout,
        outageTimeout: k.outage_timeout,
      }),
  );

function tlsOptions(ssl: {
  ca?: string | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  servername?: string | undefined;
  reject_unauthorized?: boolean | undefined;
}): ConnectionOptions {
  return Object.freeze({
    ...(ssl.ca ? { ca: ssl.ca } : {}),
    ...(ssl.cert ? { cert: ssl.cert } : {}),
    ...(ssl.key ? { key: ssl.key } : {}),
    ...(ssl.servername ? { servername: ssl.servername } : {}),
    ...(ssl.reject_unauthorized !== undefined ? { rejectUnauthorized: ssl.reject_unauthorized } : {}),
  });
}

export const registryConfigSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .transform((u) => u.replace(/\/+$/, '')),
    auth: z.strictObject({ username: nonEmpty, password: nonEmpty }).optional(),
    /** Level set on the subjects Siphon creates. */
    compatibility: z.enum(COMPATIBILITIES).default('BACKWARD'),
    timeout: timerDelay.optional(),
    /** Attempts for network errors and 5xx answers (default 3). */
    attempts: positiveInt.optional(),
  })
  .transform(
    (r): ResolvedRegistry =>
      frozen({
        url: r.url,
        ...(r.auth ? { auth: Object.freeze(r.auth) } : {}),
        compatibility: r.compatibility,
        ...(r.timeout !== undefined ? { timeoutMs: r.timeout } : {}),
        ...(r.attempts !== undefined ? { attempts: r.attempts } : {}),
      }),
  );

const TOPIC_PLACEHOLDERS = ['prefix', 'pipeline', 'source', 'resource'];

/**
 * A topic template names one topic per resource: it needs `{resource}` (else every resource of a
 * pipeline would share one topic), known placeholders only, and topic-name characters around them.
 */
function checkTopicTemplate(template: string, ctx: z.core.$RefinementCtx<string>): void {
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)]
    .map((m) => m[1] as string)
    .filter((key) => !TOPIC_PLACEHOLDERS.includes(key));
  const allowed = TOPIC_PLACEHOLDERS.map((k) => `{${k}}`).join(', ');
  if (unknown.length > 0) {
    const names = unknown.map((k) => `{${k}}`).join(', ');
    ctx.addIssue({ code: 'custom', message: `unknown placeholder ${names} (allowed: ${allowed})` });
  } else if (!template.includes('{resource}')) {
    ctx.addIssue({
      code: 'custom',
      message: 'must contain {resource}: without it every resource of a pipeline would write to one topic',
    });
  } else if (!/^[A-Za-z0-9._-]*$/.test(template.replace(/\{\w+\}/g, ''))) {
    ctx.addIssue({
      code: 'custom',
      message: `may only hold letters, digits, ".", "_", "-" and the placeholders ${allowed}`,
    });
  }
}

const topicName = z
  .string()
  .refine(legalTopicName, 'is not a Kafka topic name (1-249 characters of letters, digits, ".", "_" or "-")');

/** Defaults of the `topics` block that differ between a pipelines file and a programmatic config. */
export interface TopicDefaults {
  partitions: number;
  replication_factor?: number;
}

/**
 * The `topics` block. The sink's own defaults are 1 partition and a replication factor of 3 (or
 * the number of brokers when fewer); the runner's pipelines file gives its own.
 */
export function topicsConfigSchema(defaults: TopicDefaults = { partitions: 1 }) {
  const replication = positiveInt.optional();
  return z
    .strictObject({
      prefix: z
        .string()
        .min(1, 'must not be empty')
        .regex(/^[A-Za-z0-9._-]*$/, 'may only hold letters, digits, ".", "_" or "-"')
        .default('siphon'),
      template: nonEmpty.default('{prefix}.{source}.{resource}').superRefine(checkTopicTemplate),
      partitions: positiveInt.default(defaults.partitions),
      replication_factor:
        defaults.replication_factor === undefined
          ? replication
          : replication.default(defaults.replication_factor),
      min_insync_replicas: positiveInt.optional(),
      configs: z
        .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
        .refine(
          (c) => !('cleanup.policy' in c),
          "must not set cleanup.policy: it follows each resource's write disposition",
        )
        .default({}),
      /** Where state and rotated tokens are kept when `state.store` is kafka (default `{prefix}._state`). */
      state_topic: topicName.optional(),
      /** Where records that cannot be written go (default `{prefix}._dlq`). */
      dead_letter_topic: topicName.optional(),
    })
    .transform((t): ResolvedTopics => {
      const prefix = t.prefix;
      return frozen({
        template: t.template,
        prefix,
        partitions: t.partitions,
        ...(t.replication_factor !== undefined ? { replicationFactor: t.replication_factor } : {}),
        ...(t.min_insync_replicas !== undefined ? { minInsyncReplicas: t.min_insync_replicas } : {}),
        configs: Object.freeze(t.configs),
        stateTopic: t.state_topic ?? `${prefix}._state`,
        deadLetterTopic: t.dead_letter_topic ?? `${prefix}._dlq`,
      });
    });
}

const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

/** Tuning of the Kafka sink; every key is optional and defaults to the sink's own default. */
export const sinkTuningSchema = z
  .strictObject({
    transaction: z
      .strictObject({
        /** Commit once the open transaction holds this many records… */
        records: positiveInt.optional(),
        /** …or is this old… */
        interval: durationSchema.refine((ms: number) => ms >= 1, 'must be at least 1ms').optional(),
        /** …or spans this many pages (default: every second). */
        pages: positiveInt.optional(),
        /** Broker-side transaction timeout (at most the broker's transaction.max.timeout.ms). */
        timeout: durationSchema.refine((ms: number) => ms >= 1, 'must be at least 1ms').optional(),
      })
      .superRefine((t, ctx) => {
        const timeout = t.timeout ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
        if (t.interval !== undefined && t.interval >= timeout) {
          ctx.addIssue({
            code: 'custom',
            path: ['interval'],
            message: `must be below transaction.timeout (${timeout} ms): the broker would abort the transaction first`,
          });
        }
      })
      .optional(),
    compression: z.enum(COMPRESSIONS).optional(),
    batch_bytes: positiveInt.default(512 * 1024),
    max_record_bytes: positiveInt.default(1_000_000),
    linger: durationSchema.default(100),
    retries: positiveInt.default(10),
    /** Worker threads encoding pages off the main thread; 0 (default) encodes on the main thread. */
    encode_workers: z
      .number({ error: 'expected a whole number of worker threads' })
      .int({ error: 'expected a whole number of worker threads' })
      .min(0, { error: 'expected 0 or more worker threads' })
      .max(64, { error: 'expected at most 64 worker threads' })
      .default(0),
    schema_contract: z.enum(SCHEMA_CONTRACT_MODES).default('evolve'),
    transactional_id_prefix: z.string().optional(),
  })
  .transform((s): ResolvedTuning => {
    const t = s.transaction ?? {};
    const boundary: TransactionBoundary = {
      ...(t.records !== undefined ? { records: t.records } : {}),
      ...(t.interval !== undefined ? { intervalMs: t.interval } : {}),
      ...(t.pages !== undefined ? { pages: t.pages } : {}),
    };
    return frozen({
      transactions: Object.freeze({
        boundary: Object.freeze(Object.keys(boundary).length > 0 ? boundary : { ...DEFAULT_BOUNDARY }),
        timeoutMs: t.timeout ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
      }),
      producer: Object.freeze({
        compression: s.compression ?? (zstdAvailable() ? 'zstd' : 'gzip'),
        batchBytes: s.batch_bytes,
        maxRecordBytes: s.max_record_bytes,
        // 0 would send every record on its own; the client's smallest wait is 1 ms.
        lingerMs: Math.max(1, s.linger),
        retries: s.retries,
        encodeWorkers: s.encode_workers,
      }),
      ...(s.transactional_id_prefix ? { transactionalIdPrefix: s.transactional_id_prefix } : {}),
      schemaContract: s.schema_contract,
    });
  });

/** A whole sink config: the four blocks of a pipeline in a pipelines file. */
export const sinkConfigSchema = z.strictObject({
  kafka: kafkaConfigSchema,
  registry: registryConfigSchema,
  topics: topicsConfigSchema().prefault({}),
  sink: sinkTuningSchema.prefault({}),
});

/** A sink config as written (in a pipelines file or in code). */
export type SinkConfigInput = z.input<typeof sinkConfigSchema>;
/** A sink config parsed: typed, defaults filled in, frozen. */
export type SinkConfig = z.output<typeof sinkConfigSchema>;
export type KafkaConnectionInput = z.input<typeof kafkaConfigSchema>;
export type RegistryConfigInput = z.input<typeof registryConfigSchema>;

/** Parses with one of the schemas above; a problem throws naming each bad key. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown, what = ''): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const keys = [what, ...issue.path.map(String)].filter((k) => k !== '').join('.');
    const message =
      issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.join(', ')}` : issue.message;
    return keys ? `${keys}: ${message}` : message;
  });
  throw new KafkaSinkError('INVALID_OPTIONS', `invalid Kafka sink config: ${problems.join('; ')}`);
}
