import type { AvroRecordSchema } from '@siphon/avro';
import { compilePath, isPaginator, type Paginator, paginatorSettingSchema } from '@siphon/paginators';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { builtinAuthFactories } from '../auth/builtin.js';
import { isAuthProvider } from '../auth/create-auth.js';
import { isAuthPlugin } from '../auth/plugin.js';
import type { AuthProvider, JsonRecord, WriteDisposition } from '../contracts.js';
import { MAX_PAGES_AHEAD } from '../engine/pages-ahead.js';
import { hostPattern } from '../http/allowed-hosts.js';
import { SECRET_HINT } from '../secrets/dlt.js';
import { SecretRef } from '../secrets/secret.js';
import { SCHEMA_CONTRACT_MODES, WRITE_DISPOSITIONS, WRITE_STRATEGIES } from '../vocabulary.js';
import { authBlockIssues } from './auth-block.js';
import { strictObject } from './strict.js';
import type { FilterRule, MapRule, ResponseAction } from './types.js';

/**
 * The zod schema of a raw config as written (before defaults are merged). It accepts the dlt
 * shorthands (resource as a name, endpoint as a path, paginator as a type name) and, in TS,
 * instances (`Paginator`, `AuthProvider`) and functions (processing steps, incremental `convert`).
 * Its output is typed: `validateConfig` normalises that output and never reads the raw input again.
 * Fields checked by hand (`z.unknown()` with a check) are transforms that return the value they
 * checked, narrowed, or the nested schema's parsed value.
 */

export const secretString = z.custom<string | SecretRef>(
  (value) => typeof value === 'string' || value instanceof SecretRef,
  { error: `expected a string or ${SECRET_HINT}` },
);

/** A function (TS configs only); its signature is the one the engine calls it with. */
const fn = <F extends (...args: never[]) => unknown>(what: string) =>
  z.custom<F>((value) => typeof value === 'function', {
    error: `expected a function (${what})`,
  });

/** An object that is not a list (its keys are checked separately). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A response/record path, checked by compiling it, so a bad JSONPath fails at validation time. */
export const pathString = z.string().superRefine((value, ctx) => {
  try {
    compilePath(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/**
 * A paginator: a ready-made instance (TS configs), a type name, or a config checked by the
 * paginators' schema. A type name stays a name (`"header_link"`), as written.
 */
export const paginatorField = z.unknown().transform((value, ctx) => {
  if (isPaginator(value)) return value satisfies Paginator;
  const result = paginatorSettingSchema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
    return z.NEVER;
  }
  return typeof value === 'string' ? result.data.type : result.data;
});

const positiveInt = z.number().int().min(1);
const nonNegative = z.number().min(0);

/** `pages_ahead`: requests one resource may have in flight ahead of the page being written. */
const pagesAheadSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_PAGES_AHEAD, {
    error: (issue) =>
      `must be <= ${MAX_PAGES_AHEAD}, got ${String(issue.input)} (each page ahead holds a response in memory)`,
  });

const retrySchema = strictObject(
  {
    max_attempts: positiveInt.optional(),
    initial_delay_seconds: nonNegative.optional(),
    max_delay_seconds: nonNegative.optional(),
    statuses: z.array(z.number().int().min(100).max(599)).optional(),
    respect_retry_after: z.boolean().optional(),
  },
  'retry',
);

const rateLimitSchema = strictObject(
  { requests: positiveInt, interval_seconds: z.number().positive() },
  'rate_limit',
);

/**
 * Built-in auth types are checked here, in order with the rest of the client, against their
 * plugins' schemas; other types against theirs once the factories are known (cross-checks).
 */
const authField = z.unknown().transform((value, ctx): AuthProvider | Record<string, unknown> => {
  if (isAuthProvider(value)) return value;
  if (!isRecord(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected an auth object such as {"type": "bearer", "token": ...}',
    });
    return z.NEVER;
  }
  const type = value.type ?? 'bearer';
  if (typeof type !== 'string') {
    ctx.addIssue({ code: 'custom', path: ['type'], message: 'expected the auth type as a string' });
    return z.NEVER;
  }
  const builtin = builtinAuthFactories[type];
  // Other types are parsed by their factory (OAuth2: `@siphon/auth-oauth2`), which owns their keys.
  if (!builtin || !isAuthPlugin(builtin)) return value;
  const issues = authBlockIssues(builtin, value);
  for (const issue of issues) ctx.addIssue(withoutInput(issue));
  return issues.length > 0 ? z.NEVER : value;
});

export const clientSchema = strictObject(
  {
    base_url: z.string().superRefine((value, ctx) => {
      if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
        ctx.addIssue({ code: 'custom', message: `expected an absolute http(s) URL, got "${value}"` });
      }
    }),
    headers: z.record(z.string(), secretString).optional(),
    auth: authField.optional(),
    paginator: paginatorField.optional(),
    session: z
      .custom<Dispatcher>((value) => typeof value === 'object' && value !== null && 'dispatch' in value, {
        error: 'expected an undici Dispatcher (TS configs only)',
      })
      .optional(),
    rate_limit: rateLimitSchema.optional(),
    max_concurrency: positiveInt.optional(),
    pages_ahead: pagesAheadSchema.optional(),
    timeout_seconds: z.number().positive().optional(),
    allowed_hosts: z
      .array(
        z.string().refine((value) => hostPattern(value) !== undefined, {
          error: 'expected a host ("cdn.example.com", "cdn.example.com:8443") or an http(s) origin',
        }),
      )
      .optional(),
    max_response_bytes: positiveInt.optional(),
    retry: retrySchema.optional(),
  },
  'client',
);

const incrementalShape = {
  cursor_path: pathString,
  initial_value: z.unknown().optional(),
  end_value: z.unknown().optional(),
  start_param: z.string().min(1).optional(),
  end_param: z.string().min(1).optional(),
  lag: nonNegative.optional(),
  last_value_func: z
    .custom<'max' | 'min' | ((values: unknown[]) => unknown)>(
      (value) => value === 'max' || value === 'min' || typeof value === 'function',
      { error: 'expected "max", "min" or (TS) a function' },
    )
    .optional(),
  on_cursor_value_missing: z.enum(['raise', 'include', 'exclude']).optional(),
  range_start: z.enum(['open', 'closed']).optional(),
  range_end: z.enum(['open', 'closed']).optional(),
  convert: fn<(value: unknown) => unknown>('value => param value').optional(),
};

export const incrementalSchema = strictObject(incrementalShape, 'incremental');

const { start_param: _startParam, ...incrementalParamShape } = incrementalShape;
const incrementalParamSchema = strictObject(
  { type: z.literal('incremental'), ...incrementalParamShape },
  'incremental param',
);
const resolveParamSchema = strictObject(
  { type: z.literal('resolve'), resource: z.string().min(1), field: z.string().min(1) },
  'resolve param',
);

const paramValue = z.unknown().transform((value, ctx) => {
  if (value === null || value instanceof SecretRef) return value;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  const type = isRecord(value) ? value.type : undefined;
  const schema =
    type === 'incremental' ? incrementalParamSchema : type === 'resolve' ? resolveParamSchema : undefined;
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a string, number, boolean, ${SECRET_HINT}, or an object with "type": "incremental" or "resolve"`,
    });
    return z.NEVER;
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
    return z.NEVER;
  }
  return result.data;
});

const responseActionSchema = strictObject(
  {
    status_code: z.number().int().min(100).max(599).optional(),
    content: z.string().min(1).optional(),
    action: z.literal('ignore', { error: 'expected "ignore" (the only response action Siphon supports)' }),
  },
  'response action',
).transform(({ status_code, content, action }, ctx): ResponseAction => {
  if (status_code !== undefined)
    return { status_code, ...(content === undefined ? {} : { content }), action };
  if (content !== undefined) return { content, action };
  ctx.addIssue({ code: 'custom', message: 'a response action needs "status_code", "content" or both' });
  return z.NEVER;
});

const filterRuleSchema = strictObject(
  {
    path: pathString,
    equals: z.unknown().optional(),
    not_equals: z.unknown().optional(),
    in: z.array(z.unknown()).optional(),
    not_in: z.array(z.unknown()).optional(),
    exists: z.boolean().optional(),
  },
  'filter rule',
).superRefine((value, ctx) => {
  const operators = (['equals', 'not_equals', 'in', 'not_in', 'exists'] as const).filter(
    (key) => value[key] !== undefined,
  );
  if (operators.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `a filter rule needs exactly one of equals, not_equals, in, not_in, exists (got ${operators.length === 0 ? 'none' : operators.join(', ')})`,
    });
  }
});

const mapRuleSchema = strictObject(
  {
    rename: z.record(z.string(), z.string().min(1)).optional(),
    drop: z.array(z.string().min(1)).optional(),
    set: z.record(z.string(), z.unknown()).optional(),
  },
  'map rule',
);

const EXPRESSION_HINT =
  'a string expression cannot be run safely from a config file; use a rule object or, in TS, a function';

/** A step's function (TS) or rule object (config files); a string expression is refused. */
function stepPart<F extends (record: JsonRecord) => unknown, R>(rule: z.ZodType<R>, what: string) {
  const asFunction = z.custom<F>((value) => typeof value === 'function');
  return z.unknown().transform((value, ctx): F | R => {
    const given = asFunction.safeParse(value);
    if (given.success) return given.data;
    if (typeof value === 'string') {
      ctx.addIssue({ code: 'custom', message: `${EXPRESSION_HINT} (${what})` });
      return z.NEVER;
    }
    const result = rule.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
      return z.NEVER;
    }
    return result.data;
  });
}

const stepParts = {
  filter: stepPart<(record: JsonRecord) => boolean, FilterRule>(filterRuleSchema, 'filter'),
  map: stepPart<(record: JsonRecord) => JsonRecord, MapRule>(mapRuleSchema, 'map'),
};

type ProcessingStepOutput =
  | { filter: z.output<typeof stepParts.filter> }
  | { map: z.output<typeof stepParts.map> };

const processingStepSchema = z.unknown().transform((value, ctx): ProcessingStepOutput => {
  const keys = isRecord(value) ? Object.keys(value) : [];
  const key = keys[0];
  if (keys.length !== 1 || !isRecord(value) || (key !== 'filter' && key !== 'map')) {
    ctx.addIssue({
      code: 'custom',
      message: `expected {"filter": ...} or {"map": ...}${keys.length ? ` (got keys: ${keys.join(', ')})` : ''}`,
    });
    return z.NEVER;
  }
  const report = (issues: z.core.$ZodIssue[]) => {
    for (const issue of issues) ctx.addIssue({ ...withoutInput(issue), path: [key, ...issue.path] });
    return z.NEVER;
  };
  if (key === 'filter') {
    const filter = stepParts.filter.safeParse(value.filter);
    return filter.success ? { filter: filter.data } : report(filter.error.issues);
  }
  const map = stepParts.map.safeParse(value.map);
  return map.success ? { map: map.data } : report(map.error.issues);
});

const WRITE_DISPOSITION_HINT = `expected ${WRITE_DISPOSITIONS.map((d) => `"${d}"`).join(', ')} or {"disposition": ..., "strategy": ...}`;

const dispositionName = z.enum(WRITE_DISPOSITIONS);
const dispositionObject = strictObject(
  {
    disposition: dispositionName,
    strategy: z.string().optional(),
  },
  'write_disposition',
);

const writeDispositionSchema = z
  .unknown()
  .transform((value, ctx): WriteDisposition | z.output<typeof dispositionObject> => {
    const name = dispositionName.safeParse(value);
    if (name.success) return name.data;
    if (!isRecord(value)) {
      const got = typeof value === 'string' ? `"${value}"` : typeof value;
      ctx.addIssue({ code: 'custom', message: `${WRITE_DISPOSITION_HINT}; got ${got}` });
      return z.NEVER;
    }
    const result = dispositionObject.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
      return z.NEVER;
    }
    const { disposition, strategy } = result.data;
    const strategies: Record<string, readonly string[]> = WRITE_STRATEGIES;
    if (strategy !== undefined && !strategies[disposition]?.includes(strategy)) {
      const why =
        strategy === 'scd2'
          ? '"scd2" is not supported: a compacted topic keeps the latest value per key'
          : `unknown strategy "${strategy}" for "${disposition}"`;
      const allowed = strategies[disposition]?.length
        ? `; allowed: ${strategies[disposition]?.join(', ')}`
        : '';
      ctx.addIssue({ code: 'custom', path: ['strategy'], message: `${why}${allowed}` });
      return z.NEVER;
    }
    return result.data;
  });

const primaryKeySchema = z.custom<string | string[]>(
  (value) =>
    (typeof value === 'string' && value.length > 0) ||
    (Array.isArray(value) && value.length > 0 && value.every((k) => typeof k === 'string' && k.length > 0)),
  { error: 'expected a field name or a non-empty list of field names' },
);

/** Any value, typed as a record schema: `avroSchemaSchema` checked its outline first. */
const declaredRecordSchema = z.custom<AvroRecordSchema>();

/**
 * A declared value schema: its outline is checked here; the field types are checked by the sink
 * when it compiles the schema (avsc), so the output is the record schema as written.
 */
const avroSchemaSchema = z
  .looseObject({
    type: z.literal('record', { error: 'expected an Avro record schema ("type": "record")' }),
    name: z.string().min(1),
    fields: z.array(z.looseObject({ name: z.string().min(1), type: z.unknown() })),
  })
  .transform((schema) => declaredRecordSchema.parse(schema));

const resourceOptionsShape = {
  primary_key: primaryKeySchema.optional(),
  write_disposition: writeDispositionSchema.optional(),
  processing_steps: z.array(processingStepSchema).optional(),
  include_from_parent: z.array(z.string().min(1)).optional(),
  selected: z.boolean().optional(),
  schema_contract: z.enum(SCHEMA_CONTRACT_MODES).optional(),
  hard_delete: strictObject(
    { path: z.string().min(1), equals: z.unknown().optional() },
    'hard_delete',
  ).optional(),
  delete_detection: z.enum(['none', 'snapshot']).optional(),
  schema: avroSchemaSchema.optional(),
  pages_ahead: pagesAheadSchema.optional(),
};

const endpointShape = {
  path: z.string().min(1).optional(),
  method: z
    .preprocess((value) => (typeof value === 'string' ? value.toUpperCase() : value), z.enum(['GET', 'POST']))
    .optional(),
  params: z.record(z.string(), paramValue).optional(),
  json: z.record(z.string(), z.unknown()).optional(),
  headers: z.record(z.string(), secretString).optional(),
  data_selector: pathString.optional(),
  paginator: paginatorField.optional(),
  incremental: incrementalSchema.optional(),
  response_actions: z.array(responseActionSchema).optional(),
};

const endpointSchema = strictObject(endpointShape, 'endpoint');
const endpointField = z.preprocess(
  (value) => (typeof value === 'string' ? { path: value } : value),
  endpointSchema,
);

const RESOURCE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export const resourceSchema = z.preprocess(
  (value) => (typeof value === 'string' ? { name: value } : value),
  strictObject(
    {
      name: z
        .string()
        .regex(RESOURCE_NAME, 'expected a name of letters, digits, "_", "-" and "." (it names a topic)'),
      endpoint: endpointField.optional(),
      ...resourceOptionsShape,
    },
    'resource',
    'expected a resource object such as {"name": "users", "endpoint": "/users"}, or a resource name',
  ),
);

export const resourceDefaultsSchema = strictObject(
  { endpoint: endpointField.optional(), ...resourceOptionsShape },
  'resource_defaults',
);

export const restApiConfigSchema = strictObject(
  {
    client: clientSchema,
    resource_defaults: resourceDefaultsSchema.optional(),
    resources: z.array(resourceSchema).min(1, 'expected at least one resource'),
  },
  'the config',
);

/** A nested issue without its `input`: zod sets `input` again to the value being refined. */
function withoutInput({ input: _input, ...issue }: z.core.$ZodIssue) {
  return issue;
}
