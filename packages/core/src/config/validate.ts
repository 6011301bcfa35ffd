import type { AuthFactory, WriteDisposition } from '../contracts.js';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import type { SecretRef } from '../secrets/secret.js';
import { crossCheck, expandResources, type RawResource } from './cross-checks.js';
import { type PositionOf, toConfigIssues } from './issues.js';
import { isPlainObject } from './merge.js';
import type {
  NormalizedConfig,
  NormalizedEndpoint,
  NormalizedIncremental,
  NormalizedResource,
  NormalizedStep,
  ScalarParam,
  SecretLike,
} from './normalized.js';
import { restApiConfigSchema } from './schema.js';
import { markSecretRefs } from './secret-refs.js';
import { type ConfigFormat, parseConfigText } from './text.js';
import type { ResponseAction, RestApiConfig } from './types.js';

export interface ValidateConfigOptions {
  /** Auth types besides the built-ins, e.g. `{ oauth2: oauth2Auth }`; unknown types are errors. */
  authFactories?: Record<string, AuthFactory>;
  /** Label for messages, e.g. the file name. */
  source?: string;
  /** For config text: the format, when the source name does not tell. */
  format?: ConfigFormat;
}

/**
 * Validates a config (a TS object, or JSON / YAML / dlt-Python text) and returns it normalized:
 * defaults merged, shorthands expanded, parents resolved. Throws a `ConfigError` listing every
 * problem with its path (and line, for text).
 */
export function validateConfig(
  input: RestApiConfig | string | Record<string, unknown>,
  options: ValidateConfigOptions = {},
): NormalizedConfig {
  let value: unknown = input;
  let positionOf: PositionOf | undefined;
  if (typeof input === 'string') {
    const parsed = parseConfigText(input, {
      ...(options.format ? { format: options.format } : {}),
      ...(options.source ? { source: options.source } : {}),
    });
    value = parsed.value;
    positionOf = parsed.positionOf;
  }
  const marked = markSecretRefs(value);
  const fail = (issues: ConfigIssue[]) =>
    new ConfigError(issues, options.source ? { source: options.source } : {});
  if (!isPlainObject(marked)) {
    throw fail([{ path: '', message: 'expected the config to be an object with "client" and "resources"' }]);
  }
  const result = restApiConfigSchema.safeParse(marked);
  const issues = result.success ? [] : toConfigIssues(result.error.issues, marked, positionOf);
  const resources = expandResources(marked);
  const checks = crossCheck(marked, resources, {
    ...(options.authFactories ? { authFactories: options.authFactories } : {}),
    ...(positionOf ? { positionOf } : {}),
  });
  issues.push(...checks.issues);
  if (issues.length > 0) throw fail(dedupe(issues));
  return normalize(marked, resources, checks.parents);
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\n${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function normalize(
  config: Record<string, unknown>,
  resources: RawResource[],
  parents: Map<number, { resource: string; fields: string[] }>,
): NormalizedConfig {
  const client = config.client as Record<string, unknown>;
  const retry = (client.retry ?? {}) as Record<string, unknown>;
  const rate = client.rate_limit as { requests: number; interval_seconds: number } | undefined;
  return {
    client: {
      baseUrl: client.base_url as string,
      headers: (client.headers ?? {}) as Record<string, SecretLike>,
      ...(client.auth === undefined ? {} : { auth: client.auth as Record<string, unknown> }),
      ...(client.paginator === undefined
        ? {}
        : { paginator: client.paginator as NormalizedEndpoint['paginator'] }),
      ...(client.session === undefined
        ? {}
        : { session: client.session as NonNullable<NormalizedConfig['client']['session']> }),
      ...(rate ? { rateLimit: { requests: rate.requests, intervalMs: rate.interval_seconds * 1000 } } : {}),
      ...(client.max_concurrency === undefined ? {} : { maxConcurrency: client.max_concurrency as number }),
      ...(client.pages_ahead === undefined ? {} : { pagesAhead: client.pages_ahead as number }),
      ...(client.timeout_seconds === undefined
        ? {}
        : { timeoutMs: (client.timeout_seconds as number) * 1000 }),
      ...(client.allowed_hosts === undefined ? {} : { allowedHosts: client.allowed_hosts as string[] }),
      ...(client.max_response_bytes === undefined
        ? {}
        : { maxResponseBytes: client.max_response_bytes as number }),
      retry: {
        ...(retry.max_attempts === undefined ? {} : { maxAttempts: retry.max_attempts as number }),
        ...(retry.initial_delay_seconds === undefined
          ? {}
          : { initialDelayMs: (retry.initial_delay_seconds as number) * 1000 }),
        ...(retry.max_delay_seconds === undefined
          ? {}
          : { maxDelayMs: (retry.max_delay_seconds as number) * 1000 }),
        ...(retry.statuses === undefined ? {} : { statuses: retry.statuses as number[] }),
        ...(retry.respect_retry_after === undefined
          ? {}
          : { respectRetryAfter: retry.respect_retry_after as boolean }),
      },
    },
    resources: resources.map((r) => normalizeResource(r, parents.get(r.index))),
  };
}

function normalizeResource(
  r: RawResource,
  parent: { resource: string; fields: string[] } | undefined,
): NormalizedResource {
  const m = r.merged;
  const name = r.name as string;
  const { endpoint, incremental } = normalizeEndpoint(name, r.endpoint);
  const disposition = isPlainObject(m.write_disposition)
    ? m.write_disposition.disposition
    : m.write_disposition;
  const primaryKey =
    m.primary_key === undefined ? [] : Array.isArray(m.primary_key) ? m.primary_key : [m.primary_key];
  return {
    name,
    index: r.index,
    selected: m.selected !== false,
    primaryKey: primaryKey as string[],
    writeDisposition: (disposition ?? 'append') as WriteDisposition,
    ...(m.schema === undefined ? {} : { schema: m.schema as NonNullable<NormalizedResource['schema']> }),
    ...(m.schema_contract === undefined
      ? {}
      : { schemaContract: m.schema_contract as NonNullable<NormalizedResource['schemaContract']> }),
    ...(m.hard_delete === undefined
      ? {}
      : { hardDelete: m.hard_delete as NonNullable<NormalizedResource['hardDelete']> }),
    ...(m.delete_detection === undefined
      ? {}
      : { deleteDetection: m.delete_detection as 'none' | 'snapshot' }),
    ...(m.pages_ahead === undefined ? {} : { pagesAhead: m.pages_ahead as number }),
    endpoint,
    ...(incremental ? { incremental } : {}),
    ...(parent ? { parent } : {}),
    includeFromParent: (m.include_from_parent ?? []) as string[],
    processingSteps: (m.processing_steps ?? []) as NormalizedStep[],
  };
}

function normalizeEndpoint(
  name: string,
  raw: Record<string, unknown>,
): { endpoint: NormalizedEndpoint; incremental?: NormalizedIncremental } {
  let path = typeof raw.path === 'string' ? raw.path : name;
  const params: Record<string, ScalarParam> = {};
  let incremental: NormalizedIncremental | undefined;
  for (const [param, value] of Object.entries((raw.params ?? {}) as Record<string, unknown>)) {
    if (isPlainObject(value) && value.type === 'incremental') {
      incremental = normalizeIncremental({ ...value, start_param: param });
    } else if (isPlainObject(value) && value.type === 'resolve') {
      const placeholder = `{resources.${value.resource as string}.${value.field as string}}`;
      // dlt: a resolve param fills `{param}` in the path; otherwise it is sent as a query param.
      if (path.includes(`{${param}}`)) path = path.split(`{${param}}`).join(placeholder);
      else params[param] = placeholder;
    } else {
      params[param] = value as ScalarParam | SecretRef;
    }
  }
  if (isPlainObject(raw.incremental)) incremental = normalizeIncremental(raw.incremental);
  return {
    endpoint: {
      path,
      method: (raw.method ?? 'GET') as 'GET' | 'POST',
      params,
      ...(raw.json === undefined ? {} : { json: raw.json as Record<string, unknown> }),
      headers: (raw.headers ?? {}) as Record<string, SecretLike>,
      ...(raw.data_selector === undefined ? {} : { dataSelector: raw.data_selector as string }),
      ...(raw.paginator === undefined ? {} : { paginator: raw.paginator as NormalizedEndpoint['paginator'] }),
      responseActions: (raw.response_actions ?? []) as ResponseAction[],
    },
    ...(incremental ? { incremental } : {}),
  };
}

function normalizeIncremental(raw: Record<string, unknown>): NormalizedIncremental {
  return {
    cursorPath: raw.cursor_path as string,
    ...(raw.initial_value === undefined ? {} : { initialValue: raw.initial_value }),
    ...(raw.end_value === undefined ? {} : { endValue: raw.end_value }),
    ...(raw.start_param === undefined ? {} : { startParam: raw.start_param as string }),
    ...(raw.end_param === undefined ? {} : { endParam: raw.end_param as string }),
    ...(raw.lag === undefined ? {} : { lag: raw.lag as number }),
    lastValueFunc: (raw.last_value_func ?? 'max') as NormalizedIncremental['lastValueFunc'],
    onCursorValueMissing: (raw.on_cursor_value_missing ??
      'raise') as NormalizedIncremental['onCursorValueMissing'],
    rangeStart: (raw.range_start ?? 'closed') as 'open' | 'closed',
    rangeEnd: (raw.range_end ?? 'open') as 'open' | 'closed',
    ...(raw.convert === undefined ? {} : { convert: raw.convert as (value: unknown) => unknown }),
  };
}
