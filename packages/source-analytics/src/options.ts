/**
 * The options of `analyticsSource()`, validated once with zod. Every problem is reported together,
 * by option path, with what was expected; values of secret options are never echoed.
 */
import {
  ConfigError,
  type PaginatorSetting,
  type SchemaContractMode,
  SecretRef,
  type WriteDispositionConfig,
} from '@siphon/core';
import { z } from 'zod';
import { ANALYTICS_RESOURCE_NAMES, type AnalyticsResourceName } from './resources.js';

/** A literal value, or a reference resolved by the pipeline's secrets provider (`dlt.secrets["key"]`). */
export type SecretInput = string | SecretRef;

export type AnalyticsPreset = 'seed' | 'real_api';

export interface AnalyticsResourceOverride {
  /** Field(s) identifying a record: the Kafka message key. */
  primaryKey?: string | string[];
  writeDisposition?: WriteDispositionConfig;
  /** Any core paginator setting; replaces the seed's cursor paginator for this resource. */
  paginator?: PaginatorSetting;
  deleteDetection?: 'snapshot' | 'none';
  schemaContract?: SchemaContractMode;
  /** Endpoint path, e.g. `/v1/billable_metrics` for the real API's metrics. */
  path?: string;
  /** Envelope key holding the records, e.g. `billable_metrics`. */
  dataSelector?: string;
}

export interface AnalyticsSourceOptions {
  /** API root, e.g. `https://api.getlago.com/api`; the seed's `/v1/...` paths are relative to it. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`. Default: `dlt.secrets["api_key"]`, as in the seed. */
  apiKey?: SecretInput;
  /** Extra headers on every API request. */
  headers?: Record<string, SecretInput>;
  /** Resources to read, in any order. Default: all eleven. */
  resources?: AnalyticsResourceName[];
  /** Records per page (`per_page`), 1..1000. Default 100, the seed's value and the API's default. */
  pageSize?: number;
  /** `seed`: key every record by `id`; `real_api`: by `lago_id`. Default `seed`. */
  preset?: AnalyticsPreset;
  /** Default for every resource; `snapshot` unless overridden (see README). */
  deleteDetection?: 'snapshot' | 'none';
  /**
   * What the sink does with records that stop matching the declared schema (a new field, a new
   * type). Default: the sink's own default (`evolve`).
   */
  schemaContract?: SchemaContractMode;
  overrides?: Partial<Record<AnalyticsResourceName, AnalyticsResourceOverride>>;
}

/**
 * Not a documented limit of the API: a guard so one response (held in memory while parsed)
 * stays small. The API's own default is 100.
 */
export const ANALYTICS_MAX_PAGE_SIZE = 1000;

const names = ANALYTICS_RESOURCE_NAMES.join(', ');
const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

const secretInput = z.custom<SecretInput>(
  (value) => (typeof value === 'string' && value.length > 0) || value instanceof SecretRef,
  { error: 'expected a non-empty string or a secret reference such as dlt.secrets["key"]' },
);

const httpUrl = z
  .string()
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: 'expected an absolute http(s) URL',
  });

const resourceName = z
  .string()
  .refine((value) => (ANALYTICS_RESOURCE_NAMES as readonly string[]).includes(value), {
    error: (issue) => `unknown resource ${JSON.stringify(issue.input)}; expected one of: ${names}`,
  });

const primaryKey = z.custom<string | string[]>(
  (value) =>
    (typeof value === 'string' && value.length > 0) ||
    (Array.isArray(value) && value.length > 0 && value.every((k) => typeof k === 'string' && k.length > 0)),
  { error: 'expected a field name or a non-empty list of field names' },
);

const deleteDetection = z.enum(['snapshot', 'none'], { error: 'expected "snapshot" or "none"' });

const schemaContract = z.enum(['evolve', 'freeze', 'discard_row', 'discard_value'], {
  error: 'expected "evolve", "freeze", "discard_row" or "discard_value"',
});

const overrideShape = {
  primaryKey: primaryKey.optional(),
  writeDisposition: z.custom<WriteDispositionConfig>().optional(),
  paginator: z.custom<PaginatorSetting>().optional(),
  deleteDetection: deleteDetection.optional(),
  schemaContract: schemaContract.optional(),
  path: z.string().min(1, { error: 'expected a non-empty path' }).optional(),
  dataSelector: z.string().min(1, { error: 'expected a non-empty data selector' }).optional(),
};

const override = z.strictObject(overrideShape, { error: unknownKeys(Object.keys(overrideShape)) });

const optionsShape = {
  baseUrl: httpUrl,
  apiKey: secretInput.optional(),
  headers: z
    .record(
      z
        .string()
        .regex(HTTP_TOKEN, { error: 'expected a valid HTTP header name' })
        .refine((name) => name.toLowerCase() !== 'authorization', {
          error: 'Authorization carries the API key; set apiKey instead',
        }),
      secretInput,
    )
    .optional(),
  resources: z
    .array(resourceName)
    .min(1, { error: `select at least one resource (${names})` })
    .refine((list) => new Set(list).size === list.length, { error: 'lists a resource twice' })
    .optional(),
  pageSize: z
    .number({ error: 'expected a number' })
    .int({ error: 'expected a whole number' })
    .min(1, { error: `expected 1..${ANALYTICS_MAX_PAGE_SIZE}` })
    .max(ANALYTICS_MAX_PAGE_SIZE, { error: `expected 1..${ANALYTICS_MAX_PAGE_SIZE}` })
    .optional(),
  preset: z.enum(['seed', 'real_api'], { error: 'expected "seed" or "real_api"' }).optional(),
  deleteDetection: deleteDetection.optional(),
  schemaContract: schemaContract.optional(),
  overrides: z.record(resourceName, override).optional(),
};

const optionsSchema = z
  .strictObject(optionsShape, { error: unknownKeys(Object.keys(optionsShape)) })
  .superRefine((options, ctx) => {
    const selected = new Set<string>(options.resources ?? ANALYTICS_RESOURCE_NAMES);
    for (const [name, value] of Object.entries(options.overrides ?? {})) {
      if (!selected.has(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['overrides', name],
          message: `overrides a resource that is not selected (selected: ${[...selected].join(', ')})`,
        });
      }
      if (dispositionOf(value?.writeDisposition) === 'append' && value?.deleteDetection === 'snapshot') {
        ctx.addIssue({
          code: 'custom',
          path: ['overrides', name, 'deleteDetection'],
          message: 'snapshot delete detection needs a keyed resource ("merge" or "replace"), not "append"',
        });
      }
    }
  });

function unknownKeys(allowed: readonly string[]) {
  return (issue: { code: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown option${(issue.keys?.length ?? 0) > 1 ? 's' : ''} ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`
      : undefined;
}

export function dispositionOf(value: WriteDispositionConfig | undefined): string | undefined {
  return typeof value === 'object' && value !== null ? value.disposition : value;
}

/** Validates options or throws a `ConfigError` listing every problem. */
export function parseAnalyticsOptions(input: unknown): AnalyticsSourceOptions {
  const result = optionsSchema.safeParse(input);
  if (result.success) return result.data as AnalyticsSourceOptions;
  const issues = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.') || '(options)';
    // A rejected record key (resource name, header name) carries the reason in nested issues.
    const messages =
      issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message) : [issue.message];
    return messages.map((message) => ({ path, message }));
  });
  throw new ConfigError(issues, { source: 'analyticsSource() options' });
}
