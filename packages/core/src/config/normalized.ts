import type { Paginator, PaginatorConfig, PaginatorType } from '@siphon/paginators';
import type { Dispatcher } from 'undici';
import type { AuthProvider, JsonRecord, ResourceDescriptor } from '../contracts.js';
import type { RetryOptions } from '../http/retry-policy.js';
import type { Secret, SecretRef } from '../secrets/secret.js';
import type { FilterRule, MapRule, ResponseAction } from './types.js';

/** The config after validation, defaults merging and shorthand expansion: what the engine runs. */
export interface NormalizedConfig {
  client: NormalizedClient;
  resources: NormalizedResource[];
}

export type SecretLike = string | SecretRef | Secret;

export interface NormalizedClient {
  baseUrl: string;
  headers: Record<string, SecretLike>;
  /** The `auth` block as checked at load (frozen; secret references unresolved), or a provider (TS). */
  auth?: AuthProvider | Readonly<Record<string, unknown>>;
  paginator?: PaginatorConfig | PaginatorType | Paginator | undefined;
  session?: Dispatcher;
  rateLimit?: { requests: number; intervalMs: number };
  maxConcurrency?: number;
  pagesAhead?: number;
  timeoutMs?: number;
  /** Hosts beyond `baseUrl`'s origin that links and redirects may lead to. */
  allowedHosts?: string[];
  maxResponseBytes?: number;
  retry: RetryOptions;
}

export type ScalarParam = string | number | boolean | SecretRef | Secret | null;

export interface NormalizedEndpoint {
  /** May contain `{resources.<parent>.<field>}` and `{incremental.start_value}` placeholders. */
  path: string;
  method: 'GET' | 'POST';
  params: Record<string, ScalarParam>;
  json?: Record<string, unknown>;
  headers: Record<string, SecretLike>;
  dataSelector?: string;
  paginator?: PaginatorConfig | PaginatorType | Paginator | undefined;
  responseActions: ResponseAction[];
}

export interface NormalizedIncremental {
  cursorPath: string;
  initialValue?: unknown;
  endValue?: unknown;
  startParam?: string;
  endParam?: string;
  lag?: number;
  lastValueFunc: 'max' | 'min' | ((values: unknown[]) => unknown);
  onCursorValueMissing: 'raise' | 'include' | 'exclude';
  rangeStart: 'open' | 'closed';
  rangeEnd: 'open' | 'closed';
  convert?: (value: unknown) => unknown;
}

export type NormalizedStep =
  | { filter: ((record: JsonRecord) => boolean) | FilterRule }
  | { map: ((record: JsonRecord) => JsonRecord) | MapRule };

export interface ParentLink {
  resource: string;
  /** Parent fields the child's placeholders read, e.g. `id` or `user.login`. */
  fields: string[];
}

/** What a sink learns of the resource (`ResourceDescriptor`), plus how it is read. */
export interface NormalizedResource extends ResourceDescriptor {
  /** Index in the config's `resources`, for messages. */
  index: number;
  selected: boolean;
  /** `pages_ahead` set on the resource (or in `resource_defaults`). */
  pagesAhead?: number;
  endpoint: NormalizedEndpoint;
  incremental?: NormalizedIncremental;
  parent?: ParentLink;
  includeFromParent: string[];
  processingSteps: NormalizedStep[];
}
