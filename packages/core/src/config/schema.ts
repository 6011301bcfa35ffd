import { compilePath, isPaginator, paginatorSettingSchema } from '@siphon/paginators';
import { z } from 'zod';
import { isAuthProvider } from '../auth/create-auth.js';
import { MAX_PAGES_AHEAD } from '../engine/pages-ahead.js';
import { hostPattern } from '../http/allowed-hosts.js';
import { SecretRef } from '../secrets/secret.js';
import { SCHEMA_CONTRACT_MODES, WRITE_DISPOSITIONS, WRITE_STRATEGIES } from '../vocabulary.js';
import { strictObject } from './strict.js';

/**
 * The zod schema of a raw config as written (before defaults are merged). It accepts the dlt
 * shorthands (resource as a name, endpoint as a path, paginator as a type name) and, in TS,
 * instances (`Paginator`, `AuthProvider`) and functions (processing steps, incremental `convert`).
 */

const SECRET_HINT = 'a secret reference (dlt.secrets["key"] or {"$secret": "key"})';

export const secretString = z.custom<string | SecretRef>(
  (value) => typeof value === 'string' || value instanceof SecretRef,
  { error: `expected a string or ${SECRET_HINT}` },
);

const fn = (what: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    error: `expected a function (${what})`,
  });

/** A response/record path, checked by compiling it, so a bad JSONPath fails at validation time. */
export const pathString = z.string().superRefine((value, ctx) => {
  try {
    compilePath(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

/** Validates with `schema` unless `skip` says the value is a ready-made instance (TS configs). */
function embedded(schema: z.ZodType, skip: (value: unknown) => boolean) {
  return z.unknown().superRefine((value, ctx) => {
    if (skip(value)) return;
    const result = schema.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
  });
}

export const paginatorField = embedded(paginatorSettingSchema, isPaginator);

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

const builtinAuthSchemas: Record<string, z.ZodType> = {
  bearer: strictObject({ type: z.literal('bearer').optional(), token: secretString }, 'bearer auth'),
  api_key: strictObject(
    {
      type: z.literal('api_key'),
      name: z.string().min(1).optional(),
      api_key: secretString,
      location: z.enum(['header', 'query']).optional(),
    },
    'api_key auth',
  ),
  http_basic: strictObject(
    { type: z.literal('http_basic'), username: secretString, password: secretString },
    'http_basic auth',
  ),
};

/** Built-in auth types are checked here; other types are checked against the factories later. */
const authField = z.unknown().superRefine((value, ctx) => {
  if (isAuthProvider(value)) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({
      code: 'custom',
      message: 'expected an auth object such as {"type": "bearer", "token": ...}',
    });
    return;
  }
  const type = (value as { type?: unknown }).type ?? 'bearer';
  if (typeof type !== 'string') {
    ctx.addIssue({ code: 'custom', path: ['type'], message: 'expected the auth type as a string' });
    return;
  }
  const schema = builtinAuthSchemas[type];
  if (!schema) return;
  const result = schema.safeParse(value);
  if (!result.success) for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
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
      .custom((value) => typeof value === 'object' && value !== null && 'dispatch' in value, {
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
  convert: fn('value => param value').optional(),
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

const paramValue = z.unknown().superRefine((value, ctx) => {
  if (value === null || value instanceof SecretRef) return;
  if (['string', 'number', 'boolean'].includes(typeof value)) return;
  const type = typeof value === 'object' ? (value as { type?: unknown }).type : undefined;
  const schema =
    type === 'incremental' ? incrementalParamSchema : type === 'resolve' ? resolveParamSchema : undefined;
  if (!schema) {
    ctx.addIssue({
      code: 'custom',
      message: `expected a string, number, boolean, ${SECRET_HINT}, or an object with "type": "incremental" or "resolve"`,
    });
    return;
  }
  const result = schema.safeParse(value);
  if (!result.success) for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
});

const responseActionSchema = strictObject(
  {
    status_code: z.number().int().min(100).max(599).optional(),
    content: z.string().min(1).optional(),
    action: z.literal('ignore', { error: 'expected "ignore" (the only response action Siphon supports)' }),
  },
  'response action',
).refine((value) => value.status_code !== undefined || value.content !== undefined, {
  message: 'a response action needs "status_code", "content" or both',
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
  const operators = ['equals', 'not_equals', 'in', 'not_in', 'exists'].filter(
    (key) => (value as Record<string, unknown>)[key] !== undefined,
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

function stepPart(rule: z.ZodType, what: string) {
  return z.unknown().superRefine((value, ctx) => {
    if (typeof value === 'function') return;
    if (typeof value === 'string') {
      ctx.addIssue({ code: 'custom', message: `${EXPRESSION_HINT} (${what})` });
      return;
    }
    const result = rule.safeParse(value);
    if (!result.success) for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
  });
}

const stepParts: Record<string, z.ZodType> = {
  filter: stepPart(filterRuleSchema, 'filter'),
  map: stepPart(mapRuleSchema, 'map'),
};

const processingStepSchema = z.unknown().superRefine((value, ctx) => {
  const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : [];
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || !stepParts[key]) {
    ctx.addIssue({
      code: 'custom',
      message: `expected {"filter": ...} or {"map": ...}${keys.length ? ` (got keys: ${keys.join(', ')})` : ''}`,
    });
    return;
  }
  const result = (stepParts[key] as z.ZodType).safeParse((value as Record<string, unknown>)[key]);
  if (!result.success) {
    for (const issue of result.error.issues) {
      ctx.addIssue({ ...withoutInput(issue), path: [key, ...issue.path] });
    }
  }
});

const WRITE_DISPOSITION_HINT = `expected ${WRITE_DISPOSITIONS.map((d) => `"${d}"`).join(', ')} or {"disposition": ..., "strategy": ...}`;

const writeDispositionSchema = z.unknown().superRefine((value, ctx) => {
  if ((WRITE_DISPOSITIONS as readonly unknown[]).includes(value)) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = typeof value === 'string' ? `"${value}"` : typeof value;
    ctx.addIssue({ code: 'custom', message: `${WRITE_DISPOSITION_HINT}; got ${got}` });
    return;
  }
  const result = strictObject(
    {
      disposition: z.enum(WRITE_DISPOSITIONS),
      strategy: z.string().optional(),
    },
    'write_disposition',
  ).safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) ctx.addIssue(withoutInput(issue));
    return;
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
  }
});

const primaryKeySchema = z.custom<string | string[]>(
  (value) =>
    (typeof value === 'string' && value.length > 0) ||
    (Array.isArray(value) && value.length > 0 && value.every((k) => typeof k === 'string' && k.length > 0)),
  { error: 'expected a field name or a non-empty list of field names' },
);

const avroSchemaSchema = z.looseObject({
  type: z.literal('record', { error: 'expected an Avro record schema ("type": "record")' }),
  name: z.string().min(1),
  fields: z.array(z.looseObject({ name: z.string().min(1), type: z.unknown() })),
});

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
