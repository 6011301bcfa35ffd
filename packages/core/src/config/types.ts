import type { Paginator, PaginatorConfig, PaginatorType } from '@siphon/paginators';
import type { Dispatcher } from 'undici';
import type {
  AuthProvider,
  AvroRecordSchema,
  HardDeleteRule,
  JsonRecord,
  SchemaContractMode,
  WriteDisposition,
} from '../contracts.js';
import type { SecretRef } from '../secrets/secret.js';
import type { WRITE_STRATEGIES } from '../vocabulary.js';

/**
 * The config of a REST API source, in the shape of dlt's `rest_api` (same keys, same meaning).
 * Keys marked **Siphon** are extensions dlt does not have.
 */
export interface RestApiConfig {
  client: ClientConfig;
  /** Deep-merged into every resource (the resource wins; `params` and `json` merge key by key). */
  resource_defaults?: ResourceDefaults;
  /** Resources as objects or, as in dlt, plain names (`"users"` means `{ name: "users", endpoint: "users" }`). */
  resources: Array<string | ResourceConfig>;
}

/** A string, or a reference to a secret (`dlt.secrets["key"]`, `{ "$secret": "key" }`). */
export type SecretString = string | SecretRef;

export interface ClientConfig {
  /** Base of every relative `path`; credentials are only sent to this URL's origin. */
  base_url: string;
  /** Sent with every request (headers holding secrets only to `base_url`'s origin). */
  headers?: Record<string, SecretString>;
  auth?: AuthConfig | AuthProvider | undefined;
  /** Default paginator of every resource. */
  paginator?: PaginatorSetting;
  /** TS only: the undici connection pool to use (dlt's `session`). */
  session?: Dispatcher;
  /** **Siphon**: request budget per host, e.g. `{ requests: 600, interval_seconds: 60 }`. */
  rate_limit?: { requests: number; interval_seconds: number };
  /** **Siphon**: requests in flight per host. Default 8. */
  max_concurrency?: number;
  /**
   * **Siphon**: requests each resource may have in flight for its next pages, where its paginator
   * can tell them in advance (`page_number`, `offset`; others fetch one page at a time). Pages are
   * still written in order, so checkpoints stay as they are. 1: one page at a time, fetched while
   * the previous one is written; 0: fetched only when the previous one is written. Default 3, at
   * most 16; `max_concurrency` and `rate_limit` still apply. A resource's own `pages_ahead` wins.
   */
  pages_ahead?: number;
  /** **Siphon**: per-request timeout (headers and body). Default 60. */
  timeout_seconds?: number;
  /**
   * **Siphon**: other hosts that next-page links and redirects may lead to (`"cdn.example.com"`,
   * `"cdn.example.com:8443"` or `"https://cdn.example.com"`). By default only `base_url`'s origin
   * (and the origins of absolute endpoint paths) are followed, and only over http(s).
   */
  allowed_hosts?: string[];
  /** **Siphon**: the largest response body accepted, in bytes. Default 16 MiB. */
  max_response_bytes?: number;
  /** **Siphon**: retry rules for 429, 5xx and network errors. */
  retry?: RetryConfig;
}

export interface RetryConfig {
  /** Attempts including the first. Default 5. */
  max_attempts?: number;
  /** Backoff base: attempt n waits up to `initial_delay_seconds * 2^(n-1)`. Default 1. */
  initial_delay_seconds?: number;
  /** Cap of any wait, also of `Retry-After`. Default 300. */
  max_delay_seconds?: number;
  /** Statuses to retry. Default [429, 500, 502, 503, 504]. */
  statuses?: number[];
  /** Honour `Retry-After` and `X-RateLimit-Reset`. Default true. */
  respect_retry_after?: boolean;
}

export type AuthConfig =
  | { type?: 'bearer'; token: SecretString }
  | { type: 'api_key'; name?: string; api_key: SecretString; location?: 'header' | 'query' }
  | { type: 'http_basic'; username: SecretString; password: SecretString }
  | {
      type: 'oauth2';
      client_id: SecretString;
      client_secret: SecretString;
      refresh_token: SecretString;
      token_url: string;
      [key: string]: unknown;
    }
  | { type: string; [key: string]: unknown };

/** A paginator config, a type name (`"json_link"`) or, in TS, a ready `Paginator`. */
export type PaginatorSetting = PaginatorConfig | PaginatorType | Paginator;

export type HttpMethod = 'GET' | 'POST';

export interface EndpointConfig {
  /** Relative to `base_url` (or absolute); may hold `{resources.<parent>.<field>}` placeholders. */
  path?: string;
  method?: HttpMethod;
  /** Query params; values may hold placeholders, or be an incremental or resolve param. */
  params?: Record<string, ParamValue>;
  /** JSON body (for POST); string values may hold placeholders. */
  json?: Record<string, unknown>;
  /** Extra headers for this endpoint. */
  headers?: Record<string, SecretString>;
  /** Where the records are: a dotted path (`data.items`) or JSONPath (`$.data[*]`). */
  data_selector?: string;
  paginator?: PaginatorSetting;
  incremental?: IncrementalConfig;
  response_actions?: ResponseAction[];
}

export type ParamValue = string | number | boolean | SecretRef | IncrementalParamConfig | ResolveParamConfig;

/** dlt's param form of incremental loading: the param carries the start value. */
export interface IncrementalParamConfig extends Omit<IncrementalConfig, 'start_param'> {
  type: 'incremental';
}

/** dlt's older form of a parent reference: `{ type: "resolve", resource: "issues", field: "number" }`. */
export interface ResolveParamConfig {
  type: 'resolve';
  resource: string;
  field: string;
}

export interface IncrementalConfig {
  /** Path of the cursor in each record (dotted or JSONPath), e.g. `updated_at`. */
  cursor_path: string;
  /** Start value when there is no state yet. */
  initial_value?: unknown;
  /** Stop value: records past it are dropped, and it is sent as `end_param`. */
  end_value?: unknown;
  /** Query param that gets the start value (last value of the previous run, minus `lag`). */
  start_param?: string;
  end_param?: string;
  /** Re-read this much before the last value: seconds for date-times, days for dates, units for numbers. */
  lag?: number;
  /** Which cursor value is "last". Default `max`. */
  last_value_func?: 'max' | 'min' | ((values: unknown[]) => unknown);
  /** What to do with a record without a cursor value. Default `raise`. */
  on_cursor_value_missing?: 'raise' | 'include' | 'exclude';
  /** Whether a record equal to the start value is kept (`closed`, default) or dropped (`open`). */
  range_start?: 'open' | 'closed';
  /** Whether a record equal to the end value is kept (`closed`) or dropped (`open`, default). */
  range_end?: 'open' | 'closed';
  /** TS only: turns the cursor value into the param value (e.g. a date into epoch seconds). */
  convert?: (value: unknown) => unknown;
}

export type ResponseAction =
  | { status_code: number; content?: string; action: 'ignore' }
  | { status_code?: number; content: string; action: 'ignore' };

/** A record-level filter for config files: exactly one operator. */
export interface FilterRule {
  path: string;
  equals?: unknown;
  not_equals?: unknown;
  in?: unknown[] | undefined;
  not_in?: unknown[] | undefined;
  exists?: boolean | undefined;
}

/** A record-level transformation for config files. Paths are dotted. */
export interface MapRule {
  rename?: Record<string, string> | undefined;
  drop?: string[] | undefined;
  set?: Record<string, unknown> | undefined;
}

export type ProcessingStep =
  | { filter: ((record: JsonRecord) => boolean) | FilterRule }
  | { map: ((record: JsonRecord) => JsonRecord) | MapRule };

export type WriteDispositionConfig =
  | WriteDisposition
  | { disposition: 'merge'; strategy?: (typeof WRITE_STRATEGIES.merge)[number] }
  | { disposition: 'replace'; strategy?: (typeof WRITE_STRATEGIES.replace)[number] }
  | { disposition: 'append' };

interface ResourceOptions {
  primary_key?: string | string[];
  write_disposition?: WriteDispositionConfig;
  processing_steps?: ProcessingStep[];
  /** Parent fields copied into each child record as `_<parent>_<field>`. */
  include_from_parent?: string[];
  /** `false`: read only as the parent of other resources, never emitted. */
  selected?: boolean;
  /** **Siphon**: what to do when records stop matching the schema. */
  schema_contract?: SchemaContractMode;
  /** **Siphon**: how a record says it is deleted; it then becomes a tombstone. */
  hard_delete?: HardDeleteRule;
  /** **Siphon**: `snapshot` deletes keys missing from a complete run. */
  delete_detection?: 'none' | 'snapshot';
  /** **Siphon**: the Avro value schema; otherwise the sink infers one. */
  schema?: AvroRecordSchema;
  /** **Siphon**: this resource's `client.pages_ahead`. */
  pages_ahead?: number;
}

export interface ResourceConfig extends ResourceOptions {
  name: string;
  /** An endpoint object, or its path as a string. Default: the resource name. */
  endpoint?: string | EndpointConfig;
}

export interface ResourceDefaults extends ResourceOptions {
  endpoint?: Omit<EndpointConfig, 'path'> & { path?: string };
}
