import { isPaginator, paginatorConfigSchema, paginatorDefaultNotes } from '@siphon/paginators';
import type { Dispatcher } from 'undici';
import { createAuthProvider } from '../auth/create-auth.js';
import type { NormalizedConfig, NormalizedResource } from '../config/normalized.js';
import type { RestApiConfig } from '../config/types.js';
import { type ValidateConfigOptions, validateConfig } from '../config/validate.js';
import type {
  AuthFactory,
  AuthProvider,
  AvroRecordSchema,
  HardDeleteRule,
  Page,
  ReadOptions,
  ResourceStream,
  SchemaContractMode,
  Source,
  WriteDisposition,
} from '../contracts.js';
import { createEventBus, type EventBus, type SiphonEventListener } from '../events.js';
import { ApiClient } from '../http/api-client.js';
import type { RetryOptions } from '../http/retry-policy.js';
import { createRetryingFetch } from '../http/retrying-fetch.js';
import { type FetchLike, HttpTransport } from '../http/transport.js';
import { looksSecret, Redaction } from '../redaction.js';
import type { RetryClock } from '../retry/retry.js';
import { chainSecrets, defaultSecrets, type SecretsProvider } from '../secrets/providers.js';
import { collectSecretValues, resolveSecretRefs } from '../secrets/resolve.js';
import { DEFAULT_PAGES_AHEAD } from './pages-ahead.js';
import { prefetch } from './prefetch.js';
import { consumerStopReason, type ReaderRuntime, ResourceReader } from './resource-reader.js';

export interface RestApiSourceOptions {
  /** Source name, part of every state key. Default `rest_api`. */
  name?: string;
  /** Where `dlt.secrets[...]` values come from. Default: env vars, then secret files. */
  secrets?: SecretsProvider | SecretsProvider[];
  /** Auth types besides bearer, api_key and http_basic, e.g. `{ oauth2: oauth2Auth }`. */
  authFactories?: Record<string, AuthFactory>;
  /** Replaces `client.base_url` (point a verbatim config at a test server or a proxy). */
  baseUrl?: string;
  /** The bus to emit into (e.g. the runner's), or a listener for every event of a bus of its own. */
  events?: EventBus | SiphonEventListener;
  /** Connection pool to use instead of the source's own keep-alive agent. */
  dispatcher?: Dispatcher;
  /** Replaces undici's fetch (tests). */
  fetch?: FetchLike;
  /** Overrides `client.retry` (in ms), e.g. short delays in tests. */
  retry?: RetryOptions;
  /** Overrides `client.timeout_seconds`, in ms. */
  timeoutMs?: number;
  /** The HTTP transport's clock (retry waits, rate limits, `Retry-After`); a manual one in tests. */
  clock?: RetryClock;
  /**
   * Overrides `pages_ahead` (client and resources): requests in flight per resource for its next
   * pages. 0 fetches only on pull, 1 one page at a time (fetching overlaps writing), more keeps
   * that many in flight where the paginator can tell them in advance. Default: the config's, else 3.
   */
  prefetchPages?: number;
  /** Label for config error messages (a file name). */
  configSource?: string;
  /** Format of config text, when it cannot be told from `configSource`. */
  format?: ValidateConfigOptions['format'];
}

interface Runtime extends ReaderRuntime {
  transport: HttpTransport;
}

/** A configured REST API source: its resources stream pages; `prepare` resolves secrets and auth early. */
export class RestApiSource implements Source {
  readonly name: string;
  readonly events: EventBus;
  /** Selected resources (the ones to extract). */
  readonly resources: ResourceStream[];
  /** All resources, including `selected: false` parents. */
  readonly allResources: ResourceStream[];
  readonly config: NormalizedConfig;
  readonly #options: RestApiSourceOptions;
  #runtime: Promise<Runtime> | undefined;

  constructor(config: NormalizedConfig, options: RestApiSourceOptions = {}) {
    this.name = options.name ?? 'rest_api';
    this.config = options.baseUrl
      ? { ...config, client: { ...config.client, baseUrl: options.baseUrl } }
      : config;
    this.#options = options;
    this.events = toBus(options.events);
    const pagesAhead = (resource: NormalizedResource) =>
      options.prefetchPages ?? resource.pagesAhead ?? this.config.client.pagesAhead ?? DEFAULT_PAGES_AHEAD;
    const readers = new Map(
      this.config.resources.map((r) => [
        r.name,
        new ResourceReader(r.name, () => this.#prepare(), pagesAhead(r)),
      ]),
    );
    this.allResources = this.config.resources.map(
      (resource) => new RestResource(resource, readers.get(resource.name) as ResourceReader),
    );
    this.resources = this.allResources.filter((_, i) => this.config.resources[i]?.selected);
  }

  /**
   * Facts about the config worth saying once (at `check`) rather than at every run: the defaults
   * Siphon chooses where dlt has none, such as the page-size parameter a paginator sends.
   */
  configNotes(): string[] {
    const resourcesOf = new Map<string, string[]>();
    for (const resource of this.config.resources.filter((r) => r.selected)) {
      const config = resource.endpoint.paginator ?? this.config.client.paginator;
      if (typeof config !== 'object' || config === null || isPaginator(config)) continue;
      const parsed = paginatorConfigSchema.safeParse(config);
      if (!parsed.success) continue;
      for (const note of paginatorDefaultNotes(parsed.data)) {
        resourcesOf.set(note, [...(resourcesOf.get(note) ?? []), resource.name]);
      }
    }
    return [...resourcesOf].map(
      ([note, names]) => `${note} (resource${names.length === 1 ? '' : 's'} ${names.join(', ')})`,
    );
  }

  /** Resolves secrets and builds HTTP client and auth; fails with `SecretNotFoundError` listing every missing key. */
  async prepare(): Promise<void> {
    await this.#prepare();
  }

  async close(): Promise<void> {
    if (!this.#runtime) return;
    const runtime = await this.#runtime.catch(() => undefined);
    await runtime?.transport.close();
  }

  #prepare(): Promise<Runtime> {
    this.#runtime ??= this.#build();
    // A failed preparation (a missing secret, say) is retried on the next read.
    this.#runtime.catch(() => {
      this.#runtime = undefined;
    });
    return this.#runtime;
  }

  async #build(): Promise<Runtime> {
    const options = this.#options;
    const providers = options.secrets
      ? Array.isArray(options.secrets)
        ? chainSecrets(options.secrets)
        : options.secrets
      : defaultSecrets({ sourceName: this.name });
    const config = await resolveSecretRefs(this.config, providers);
    const redactor = new Redaction().addAll(collectSecretValues(config));
    const auth = config.client.auth;
    if (auth && !('apply' in auth)) {
      for (const [key, value] of Object.entries(auth)) {
        if (typeof value === 'string' && looksSecret(key)) redactor.add(value);
      }
      if (auth.type === 'api_key' && auth.location === 'query' && typeof auth.name === 'string') {
        redactor.addQueryParam(auth.name);
      }
    }
    const client = config.client;
    const transport = new HttpTransport({
      events: this.events,
      redactor,
      retry: { ...client.retry, ...options.retry },
      ...((options.timeoutMs ?? client.timeoutMs) === undefined
        ? {}
        : { timeoutMs: options.timeoutMs ?? client.timeoutMs }),
      ...(client.maxResponseBytes === undefined ? {} : { maxResponseBytes: client.maxResponseBytes }),
      limits: {
        ...(client.maxConcurrency === undefined ? {} : { maxConcurrency: client.maxConcurrency }),
        ...(client.rateLimit ? { rateLimit: client.rateLimit } : {}),
      },
      ...((options.dispatcher ?? client.session) ? { dispatcher: options.dispatcher ?? client.session } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    let provider: AuthProvider | undefined;
    if (auth) {
      provider = createAuthProvider(auth, options.authFactories ?? {}, {
        fetch: createRetryingFetch({ transport }),
        baseUrl: client.baseUrl,
        events: this.events,
      });
    }
    const api = new ApiClient({
      baseUrl: client.baseUrl,
      transport,
      ...(client.allowedHosts ? { allowedHosts: client.allowedHosts } : {}),
      allowedOrigins: configuredOrigins(config.resources.map((r) => r.endpoint.path)),
      headers: client.headers as Record<string, string>,
      ...(provider ? { auth: provider } : {}),
    });
    const byName = new Map(config.resources.map((r) => [r.name, r]));
    const readers = new Map(this.allResources.map((r) => [r.name, (r as RestResource).reader]));
    return {
      client: api,
      transport,
      redactor,
      events: this.events,
      defaultPaginator: client.paginator,
      resourceNames: config.resources.map((r) => r.name),
      reader: (name) => readers.get(name) as ResourceReader,
      resolved: (name) => byName.get(name) as NormalizedResource,
    };
  }
}

class RestResource implements ResourceStream {
  readonly name: string;
  readonly primaryKey: string[];
  readonly writeDisposition: WriteDisposition;
  readonly schema?: AvroRecordSchema;
  readonly schemaContract?: SchemaContractMode;
  readonly hardDelete?: HardDeleteRule;
  readonly deleteDetection?: 'none' | 'snapshot';
  readonly dependsOn: string[];
  readonly reader: ResourceReader;

  constructor(resource: NormalizedResource, reader: ResourceReader) {
    this.name = resource.name;
    this.primaryKey = resource.primaryKey;
    this.writeDisposition = resource.writeDisposition;
    if (resource.schema) this.schema = resource.schema;
    if (resource.schemaContract) this.schemaContract = resource.schemaContract;
    if (resource.hardDelete) this.hardDelete = resource.hardDelete;
    this.deleteDetection =
      resource.deleteDetection ??
      (resource.writeDisposition === 'replace' && resource.primaryKey.length > 0 ? 'snapshot' : 'none');
    this.dependsOn = resource.parent ? [resource.parent.resource] : [];
    this.reader = reader;
  }

  read(options: ReadOptions = {}): AsyncIterable<Page> {
    const stop = new AbortController();
    const outer = options.signal;
    const forward = () => stop.abort(outer?.reason);
    if (outer?.aborted) stop.abort(outer.reason);
    else outer?.addEventListener('abort', forward, { once: true });
    const pages = this.reader.pages({ ...options, signal: stop.signal });
    // One processed page waits for the consumer (0: none); the reader keeps further requests in flight.
    const waiting = Math.min(this.reader.pagesAhead, 1);
    const reader = prefetch(pages, waiting, () => stop.abort(consumerStopReason()));
    return (async function* () {
      try {
        yield* reader;
      } finally {
        outer?.removeEventListener('abort', forward);
      }
    })();
  }
}

function toBus(events: RestApiSourceOptions['events']): EventBus {
  if (events && typeof events === 'object') return events;
  const bus = createEventBus();
  if (typeof events === 'function') bus.onAny(events);
  return bus;
}

/**
 * Builds a source from a dlt `rest_api` config: a TS object (write `dlt.secrets["key"]` for
 * secrets), or JSON, YAML or dlt-Python text. Validates at once (throws `ConfigError`); secrets
 * and auth are resolved when reading starts, or by `await source.prepare()`.
 */
export function restApiSource(
  config: RestApiConfig | string | Record<string, unknown>,
  options: RestApiSourceOptions = {},
): RestApiSource {
  const normalized = validateConfig(config, {
    ...(options.authFactories ? { authFactories: options.authFactories } : {}),
    ...(options.configSource ? { source: options.configSource } : {}),
    ...(options.format ? { format: options.format } : {}),
  });
  return new RestApiSource(normalized, options);
}

/** dlt's spelling, so a seed script reads the same in TS. */
export const rest_api_source = restApiSource;

/** Origins of absolute endpoint paths: the config names them, so they are no foreign hosts. */
function configuredOrigins(paths: readonly string[]): string[] {
  const origins = new Set<string>();
  for (const path of paths) {
    const origin = /^(https?:\/\/[^/{}?#]+)/i.exec(path)?.[1];
    if (origin && URL.canParse(origin)) origins.add(new URL(origin).origin);
  }
  return [...origins];
}
