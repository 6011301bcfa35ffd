import { DEFAULT_RESOURCE_CONCURRENCY } from '@siphon/core';
import { Cron } from 'croner';
import { z } from 'zod';
import { sourcePlugins } from '../sources/built-in.js';
import { parseDuration } from './duration.js';

/** The names of the source packages registered when the runner loaded (see `sourcePlugins`). */
export const SOURCE_PACKAGES: readonly string[] = Object.freeze(sourcePlugins.names());

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 characters of letters, digits, ".", "_" or "-"');
const positiveInt = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1');
const boolish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration such as 30s, 15m, 1h or 1h30m` });
    return z.NEVER;
  }
  return ms;
});

const brokerList = z
  .union([z.array(nonEmpty), z.string().transform((s) => s.split(',').map((b) => b.trim()))])
  .pipe(
    z
      .array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'each broker must be host:port'))
      .min(1, 'needs at least one broker'),
  );

export const kafkaSchema = z.strictObject({
  brokers: brokerList,
  client_id: nonEmpty.default('siphon'),
  /**
   * The Kafka client library: confluent (@confluentinc/kafka-javascript, librdkafka) or kafkajs;
   * auto (default) is confluent where its native build loads, else kafkajs.
   */
  client: z
    .enum(['auto', 'kafkajs', 'confluent'], { error: 'expected "auto", "confluent" or "kafkajs"' })
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
    .strictObject({
      mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
      username: nonEmpty,
      password: nonEmpty,
    })
    .optional(),
  connection_timeout: duration.default(10_000),
  request_timeout: duration.default(30_000),
  /** How long a resource keeps retrying, with backoff, while the brokers are unavailable (sink default 5m). */
  outage_timeout: duration.optional(),
});

export const registrySchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((u) => u.replace(/\/+$/, '')),
  auth: z.strictObject({ username: nonEmpty, password: nonEmpty }).optional(),
  /** Level set on the subjects Siphon creates. */
  compatibility: z
    .enum([
      'BACKWARD',
      'BACKWARD_TRANSITIVE',
      'FORWARD',
      'FORWARD_TRANSITIVE',
      'FULL',
      'FULL_TRANSITIVE',
      'NONE',
    ])
    .optional(),
  timeout: duration.optional(),
});

/** Tuning of the Kafka sink; every key is optional and defaults to the sink's own default. */
export const sinkSchema = z.strictObject({
  transaction: z
    .strictObject({
      /** Commit once the open transaction holds this many records… */
      records: positiveInt.optional(),
      /** …or is this old… */
      interval: duration.optional(),
      /** …or spans this many pages. */
      pages: positiveInt.optional(),
      /** Broker-side transaction timeout (at most the broker's transaction.max.timeout.ms). */
      timeout: duration.optional(),
    })
    .optional(),
  compression: z.enum(['none', 'gzip', 'zstd']).optional(),
  batch_bytes: positiveInt.optional(),
  linger: duration.optional(),
  retries: positiveInt.optional(),
  /** Worker threads encoding pages off the main thread; 0 (default) encodes on the main thread. */
  encode_workers: z
    .number({ error: 'expected a whole number of worker threads' })
    .int({ error: 'expected a whole number of worker threads' })
    .min(0, { error: 'expected 0 or more worker threads' })
    .max(64, { error: 'expected at most 64 worker threads' })
    .optional(),
  schema_contract: z.enum(['evolve', 'freeze', 'discard_row', 'discard_value']).optional(),
  transactional_id_prefix: z.string().optional(),
});

export const topicsSchema = z.strictObject({
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may only hold letters, digits, ".", "_" or "-"')
    .default('siphon'),
  template: nonEmpty.default('{prefix}.{source}.{resource}').superRefine(checkTopicTemplate),
  partitions: positiveInt.default(3),
  replication_factor: positiveInt.default(1),
  configs: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .refine(
      (c) => !('cleanup.policy' in c),
      "must not set cleanup.policy: it follows each resource's write disposition",
    )
    .default({}),
  /** Where state and rotated tokens are kept when `state.store` is kafka. */
  state_topic: z.string().optional(),
});

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

export const stateSchema = z.discriminatedUnion('store', [
  z.strictObject({ store: z.literal('kafka') }),
  z.strictObject({ store: z.literal('file'), path: nonEmpty }),
  z.strictObject({ store: z.literal('memory') }),
]);

export const scheduleSchema = z.union([
  z.strictObject({ every: duration.refine((ms) => ms >= 1000, 'must be at least 1s') }),
  z.strictObject({
    cron: z.string().refine(isCron, 'is not a valid cron expression (5 or 6 fields, e.g. "*/10 * * * *")'),
    timezone: z.string().optional(),
  }),
]);

function isCron(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

/** Free-form objects (a rest_api config, source options): checked later by their own packages. */
const object = z.record(z.string(), z.unknown());

export const sourceSchema = z
  .strictObject({
    package: z.string().optional(),
    options: object.optional(),
    rest_api: object.optional(),
    rest_api_file: nonEmpty.optional(),
    overrides: object.optional(),
  })
  .superRefine((source, ctx) => {
    const given = (['package', 'rest_api', 'rest_api_file'] as const).filter((k) => source[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          given.length === 0
            ? 'needs one of package (a source package by name), rest_api (an inline config) or rest_api_file'
            : `give only one of ${given.join(', ')}`,
      });
      return;
    }
    if (source.package !== undefined && !sourcePlugins.has(source.package)) {
      ctx.addIssue({ code: 'custom', path: ['package'], message: sourcePlugins.unknown(source.package) });
    }
    if (source.options !== undefined && source.package === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['options'],
        message: 'options go with package; use overrides for rest_api',
      });
    }
    if (source.overrides !== undefined && source.package !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['overrides'],
        message: 'overrides go with rest_api; use options for package',
      });
    }
  });

/** What `defaults` may set and every pipeline inherits. */
const sharedShape = {
  kafka: kafkaSchema,
  registry: registrySchema,
  topics: topicsSchema.default(() => topicsSchema.parse({})),
  state: stateSchema.default({ store: 'kafka' }),
  schedule: scheduleSchema.optional(),
  /** Resources of one pipeline read at the same time. */
  concurrency: positiveInt.max(64, 'must be at most 64').default(DEFAULT_RESOURCE_CONCURRENCY),
  /** Values for `dlt.secrets["name"]` references, e.g. `api_key: ${ANALYTICS_API_KEY}`. */
  secrets: z.record(z.string(), z.string()).default({}),
  /** Transaction boundary and producer tuning of the Kafka sink. */
  sink: sinkSchema.default({}),
  /**
   * Kafka Connect's `errors.tolerance`: how many records of one run may go to the dead-letter topic
   * before the run counts as failed (they are written there either way). `none` (default): any;
   * `all`: never; or a number of records.
   */
  errors: z
    .strictObject({
      tolerance: z
        .union([z.enum(['none', 'all']), z.number().int().nonnegative()], {
          error: 'expected "none", "all" or a number of records',
        })
        .default('none'),
    })
    .default({ tolerance: 'none' }),
  /**
   * Scale-out (`siphon run --group`): the relative cost of each resource when units are balanced
   * across replicas (default 1 each), or `last_run` for the records of each resource's last run.
   */
  weights: z
    .union([
      z.literal('last_run'),
      z.record(z.string(), z.coerce.number().positive('must be a number above 0').finite()),
    ])
    .optional(),
};

export const pipelineSchema = z.strictObject({
  name,
  source: sourceSchema,
  resources: z.array(nonEmpty).min(1, 'lists no resource; leave it out to select all').optional(),
  ...sharedShape,
});

export type PipelineConfig = z.output<typeof pipelineSchema>;
export type KafkaConfig = z.output<typeof kafkaSchema>;
export type RegistryConfig = z.output<typeof registrySchema>;
export type TopicsConfig = z.output<typeof topicsSchema>;
export type StateConfig = z.output<typeof stateSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type SinkConfig = z.output<typeof sinkSchema>;

export const DEFAULTS_KEYS = Object.keys(sharedShape);
export const FILE_KEYS = ['version', 'defaults', 'pipelines'];
