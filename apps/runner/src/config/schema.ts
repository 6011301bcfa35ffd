import {
  DEFAULT_RESOURCE_CONCURRENCY,
  durationSchema as duration,
  type NormalizedConfig,
} from '@siphon/core';
import {
  kafkaConfigSchema,
  type ResolvedConnection,
  type ResolvedRegistry,
  type ResolvedTopics,
  type ResolvedTuning,
  registryConfigSchema,
  sinkTuningSchema,
  topicsConfigSchema,
} from '@siphon/sink-kafka';
import { Cron } from 'croner';
import { z } from 'zod';
import { sourcePlugins } from '../sources/built-in.js';

/** The names of the source packages registered when the runner loaded (see `sourcePlugins`). */
export const SOURCE_PACKAGES: readonly string[] = Object.freeze(sourcePlugins.names());

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'must be 1-100 characters of letters, digits, ".", "_" or "-"');
const positiveInt = z.coerce.number().int('must be a whole number').min(1, 'must be at least 1');

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

/**
 * The Kafka sink's blocks are the sink's own schemas (`@siphon/sink-kafka` `config.ts`): parsed
 * here once, with the file's line and key on every problem, into the values the sink runs on.
 */
export const kafkaSchema = kafkaConfigSchema;
export const registrySchema = registryConfigSchema;
/** Replication factor of the topics a pipelines file creates, unless it says otherwise. */
export const FILE_REPLICATION_FACTOR = 1;
/** A pipelines file's topics default to 3 partitions, replicated once (a single-broker dev setup). */
export const topicsSchema = topicsConfigSchema({
  partitions: 3,
  replication_factor: FILE_REPLICATION_FACTOR,
});
export const sinkSchema = sinkTuningSchema;

/** What `defaults` may set and every pipeline inherits. */
const sharedShape = {
  kafka: kafkaSchema,
  registry: registrySchema,
  topics: topicsSchema.prefault({}),
  state: stateSchema.default({ store: 'kafka' }),
  schedule: scheduleSchema.optional(),
  /** Resources of one pipeline read at the same time. */
  concurrency: positiveInt.max(64, 'must be at most 64').default(DEFAULT_RESOURCE_CONCURRENCY),
  /** Values for `dlt.secrets["name"]` references, e.g. `api_key: ${ANALYTICS_API_KEY}`. */
  secrets: z.record(z.string(), z.string()).default({}),
  /** Transaction boundary and producer tuning of the Kafka sink. */
  sink: sinkSchema.prefault({}),
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

/**
 * A pipeline's source config (inline `rest_api`, `rest_api_file`, a package's `options`), parsed
 * once by `loadPipelinesFile` while it checks the file: the source is built from it as is.
 */
export interface ParsedSourceConfig {
  config: NormalizedConfig;
  /** The seed file, for `rest_api_file` (named in the source's messages). */
  configSource?: string;
}

export type PipelineConfig = z.output<typeof pipelineSchema> & {
  /** Set by `loadPipelinesFile`; a pipeline built in code without it is parsed when its source is built. */
  parsedSource?: ParsedSourceConfig;
};
export type KafkaConfig = ResolvedConnection;
export type RegistryConfig = ResolvedRegistry;
export type TopicsConfig = ResolvedTopics;
export type StateConfig = z.output<typeof stateSchema>;
export type ScheduleConfig = z.output<typeof scheduleSchema>;
export type SourceConfig = z.output<typeof sourceSchema>;
export type SinkConfig = ResolvedTuning;

export const DEFAULTS_KEYS = Object.keys(sharedShape);
export const FILE_KEYS = ['version', 'defaults', 'pipelines'];
