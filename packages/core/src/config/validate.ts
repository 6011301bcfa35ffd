import type { z } from 'zod';
import { isAuthProvider } from '../auth/create-auth.js';
import type { AuthFactory } from '../contracts.js';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { SecretRef } from '../secrets/secret.js';
import { crossCheck, expandResources } from './cross-checks.js';
import { type PositionOf, toConfigIssues } from './issues.js';
import { isPlainObject, mergeDefaults } from './merge.js';
import type {
  NormalizedConfig,
  NormalizedEndpoint,
  NormalizedIncremental,
  NormalizedResource,
  ScalarParam,
} from './normalized.js';
import { type incrementalSchema, restApiConfigSchema } from './schema.js';
import { markSecretRefs } from './secret-refs.js';
import { type ConfigFormat, parseConfigText } from './text.js';
import type { RestApiConfig } from './types.js';

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
 * problem with its path (and line, for text). The result is frozen: the objects and lists it is
 * built of cannot be changed (instances and values given in a TS config are kept as given).
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
  if (issues.length > 0 || !result.success) throw fail(dedupe(issues));
  return normalize(result.data, checks.parents);
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

type ParsedConfig = z.output<typeof restApiConfigSchema>;
type ParsedResource = ParsedConfig['resources'][number];
type ParsedEndpoint = NonNullable<ParsedResource['endpoint']>;
type ParsedIncremental = z.output<typeof incrementalSchema>;

/** Builds what the engine runs from the schema's parsed output (never from the raw input). */
function normalize(
  config: ParsedConfig,
  parents: Map<number, { resource: string; fields: string[] }>,
): NormalizedConfig {
  const { client, resource_defaults: defaults } = config;
  const retry = client.retry ?? {};
  const rate = client.rate_limit;
  return frozen({
    client: frozen({
      baseUrl: client.base_url,
      headers: frozen({ ...client.headers }),
      // The auth block as checked against its plugin at load; the plugin parses it once more at
      // start, when its secrets have values.
      ...(client.auth === undefined
        ? {}
        : { auth: isAuthProvider(client.auth) ? client.auth : deepFrozen(client.auth) }),
      ...(client.paginator === undefined ? {} : { paginator: client.paginator }),
      ...(client.session === undefined ? {} : { session: client.session }),
      ...(rate
        ? { rateLimit: frozen({ requests: rate.requests, intervalMs: rate.interval_seconds * 1000 }) }
        : {}),
      ...(client.max_concurrency === undefined ? {} : { maxConcurrency: client.max_concurrency }),
      ...(client.pages_ahead === undefined ? {} : { pagesAhead: client.pages_ahead }),
      ...(client.timeout_seconds === undefined ? {} : { timeoutMs: client.timeout_seconds * 1000 }),
      ...(client.allowed_hosts === undefined ? {} : { allowedHosts: frozen([...client.allowed_hosts]) }),
      ...(client.max_response_bytes === undefined ? {} : { maxResponseBytes: client.max_response_bytes }),
      retry: frozen({
        ...(retry.max_attempts === undefined ? {} : { maxAttempts: retry.max_attempts }),
        ...(retry.initial_delay_seconds === undefined
          ? {}
          : { initialDelayMs: retry.initial_delay_seconds * 1000 }),
        ...(retry.max_delay_seconds === undefined ? {} : { maxDelayMs: retry.max_delay_seconds * 1000 }),
        ...(retry.statuses === undefined ? {} : { statuses: frozen([...retry.statuses]) }),
        ...(retry.respect_retry_after === undefined ? {} : { respectRetryAfter: retry.respect_retry_after }),
      }),
    }),
    resources: frozen(
      config.resources.map((resource, index) =>
        normalizeResource(mergeDefaults(defaults, resource), index, parents.get(index)),
      ),
    ),
  });
}

function normalizeResource(
  m: ParsedResource,
  index: number,
  parent: { resource: string; fields: string[] } | undefined,
): NormalizedResource {
  const { endpoint, incremental } = normalizeEndpoint(m.name, m.endpoint ?? {});
  const disposition =
    typeof m.write_disposition === 'object' ? m.write_disposition.disposition : m.write_disposition;
  const primaryKey =
    m.primary_key === undefined ? [] : Array.isArray(m.primary_key) ? m.primary_key : [m.primary_key];
  return frozen({
    name: m.name,
    index,
    selected: m.selected !== false,
    primaryKey: frozen([...primaryKey]),
    writeDisposition: disposition ?? 'append',
    ...(m.schema === undefined ? {} : { schema: m.schema }),
    ...(m.schema_contract === undefined ? {} : { schemaContract: m.schema_contract }),
    ...(m.hard_delete === undefined ? {} : { hardDelete: frozen({ ...m.hard_delete }) }),
    ...(m.delete_detection === undefined ? {} : { deleteDetection: m.delete_detection }),
    ...(m.pages_ahead === undefined ? {} : { pagesAhead: m.pages_ahead }),
    endpoint,
    ...(incremental ? { incremental } : {}),
    ...(parent ? { parent: frozen({ resource: parent.resource, fields: frozen([...parent.fields]) }) } : {}),
    includeFromParent: frozen([...(m.include_from_parent ?? [])]),
    processingSteps: frozen([...(m.processing_steps ?? [])]),
  });
}

function normalizeEndpoint(
  name: string,
  raw: ParsedEndpoint,
): { endpoint: NormalizedEndpoint; incremental?: NormalizedIncremental } {
  let path = raw.path ?? name;
  const params: Record<string, ScalarParam> = {};
  let incremental: NormalizedIncremental | undefined;
  for (const [param, value] of Object.entries(raw.params ?? {})) {
    if (value === null || typeof value !== 'object' || value instanceof SecretRef) {
      params[param] = value;
    } else if (value.type === 'incremental') {
      incremental = normalizeIncremental({ ...value, start_param: param });
    } else {
      const placeholder = `{resources.${value.resource}.${value.field}}`;
      // dlt: a resolve param fills `{param}` in the path; otherwise it is sent as a query param.
      if (path.includes(`{${param}}`)) path = path.split(`{${param}}`).join(placeholder);
      else params[param] = placeholder;
    }
  }
  if (raw.incremental) incremental = normalizeIncremental(raw.incremental);
  return {
    endpoint: frozen({
      path,
      method: raw.method ?? 'GET',
      params: frozen(params),
      ...(raw.json === undefined ? {} : { json: raw.json }),
      headers: frozen({ ...raw.headers }),
      ...(raw.data_selector === undefined ? {} : { dataSelector: raw.data_selector }),
      ...(raw.paginator === undefined ? {} : { paginator: raw.paginator }),
      responseActions: frozen([...(raw.response_actions ?? [])]),
    }),
    ...(incremental ? { incremental } : {}),
  };
}

function normalizeIncremental(raw: ParsedIncremental): NormalizedIncremental {
  return frozen({
    cursorPath: raw.cursor_path,
    ...(raw.initial_value === undefined ? {} : { initialValue: raw.initial_value }),
    ...(raw.end_value === undefined ? {} : { endValue: raw.end_value }),
    ...(raw.start_param === undefined ? {} : { startParam: raw.start_param }),
    ...(raw.end_param === undefined ? {} : { endParam: raw.end_param }),
    ...(raw.lag === undefined ? {} : { lag: raw.lag }),
    lastValueFunc: raw.last_value_func ?? 'max',
    onCursorValueMissing: raw.on_cursor_value_missing ?? 'raise',
    rangeStart: raw.range_start ?? 'closed',
    rangeEnd: raw.range_end ?? 'open',
    ...(raw.convert === undefined ? {} : { convert: raw.convert }),
  });
}

/** Freezes what normalisation built, keeping its type (the engine reads it, never writes it). */
function frozen<T extends object>(value: T): T {
  Object.freeze(value);
  return value;
}

/** Freezes a config block written as data (plain objects and lists), leaving instances as given. */
function deepFrozen<T extends Record<string, unknown>>(block: T): T {
  for (const value of Object.values(block)) {
    if (Array.isArray(value)) deepFrozen(value as unknown as Record<string, unknown>);
    else if (isPlainObject(value)) deepFrozen(value);
  }
  return Object.freeze(block);
}
