import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { accountsApi, TOKEN_PATH } from './apis/accounts.js';
import { analyticsApi } from './apis/analytics.js';
import { billingApi } from './apis/billing.js';
import { type CatalogResource, catalog, findSpec } from './data/catalog.js';
import type { Digest } from './data/digest.js';
import type { ApiName } from './data/spec.js';
import { DataStore, type Mutation, type MutationResult } from './data/store.js';
import { type Fault, FaultEngine } from './faults.js';
import { type ControlTarget, controlHandler } from './http/control.js';
import { createApiServer } from './http/server.js';
import { Waiter } from './http/waiter.js';
import { resolveOptions, type SandboxOptions } from './options.js';
import { FixedWindowLimiter } from './rate-limit.js';
import { type SandboxStats, StatsRecorder } from './stats.js';
import { type Credentials, credentialsForSeed, TokenIssuer } from './tokens.js';

export interface SandboxResource extends CatalogResource {
  /** Records currently listed (base + inserted - deleted). */
  count: number;
}

export interface Sandbox {
  /** Billing seed's base_url (paths `/products`, `/settings/taxes`, ...). */
  readonly billingUrl: string;
  /** Analytics seed's base_url (paths `/v1/metrics`, ...). */
  readonly analyticsUrl: string;
  /** `POST` here for billing access tokens; a separate origin. */
  readonly tokenUrl: string;
  readonly credentials: Credentials;
  setFaults(faults: Fault[]): void;
  mutate(api: ApiName, resource: string, mutation: Mutation): Promise<MutationResult>;
  /** The current full dataset of a resource, in API order (newest first). */
  groundTruth(api: ApiName, resource: string): AsyncIterable<Record<string, unknown>>;
  /** Count and sha256 over the canonical JSON of every record, sorted by `id`. */
  digest(api: ApiName, resource: string): Promise<Digest>;
  /** Each API's resources with their current record counts. */
  catalog(): Record<ApiName, SandboxResource[]>;
  stats(): SandboxStats;
  resetStats(): void;
  close(): Promise<void>;
}

function listen(server: Server, host: string, port: number, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        new Error(`the ${name} server could not listen on ${host}:${port}: ${error.code ?? error.message}`),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function origin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const resolved = resolveOptions(options);
  const logger = resolved.logger ?? pino({ level: 'silent' });
  const store = new DataStore(resolved.seed, resolved.size, resolved.sizes);
  const credentials: Credentials = { ...credentialsForSeed(resolved.seed), ...resolved.credentials };
  const faults = new FaultEngine(resolved.seed);
  faults.set(resolved.faults);
  const stats = new StatsRecorder();
  const waiter = new Waiter();
  const urls = { billing: '', analytics: '', accounts: '' };
  const tokens = new TokenIssuer({
    credentials,
    ttlSeconds: resolved.tokenTtlSeconds,
    limit: resolved.tokenLimit,
    rotateRefreshToken: resolved.rotateRefreshToken,
    apiDomain: () => urls.billing,
    now: resolved.now,
  });
  const limiter = () =>
    resolved.rateLimit ? new FixedWindowLimiter(resolved.rateLimit, resolved.now) : undefined;

  const sandboxCatalog = (): Record<ApiName, SandboxResource[]> => {
    const describe = (api: ApiName) =>
      catalog[api].resources.map((resource) => ({
        ...resource,
        count: store.dataset(api, resource.name).liveCount,
      }));
    return { billing: describe('billing'), analytics: describe('analytics') };
  };

  const control: ControlTarget = {
    describe: () => ({
      billingUrl: urls.billing,
      analyticsUrl: urls.analytics,
      tokenUrl: `${urls.accounts}${TOKEN_PATH}`,
      seed: resolved.seed,
      credentials,
    }),
    catalog: sandboxCatalog,
    checkResource: (api, resource) => void findSpec(api, resource),
    faults: () => faults.list(),
    setFaults: (list) => faults.set(list),
    mutate: async (api, resource, mutation) => store.mutate(api, resource, mutation),
    groundTruth: (api, resource) => {
      findSpec(api, resource);
      return store.groundTruth(api, resource);
    },
    digest: async (api, resource) => store.digest(api, resource),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
  };
  const deps = { faults, stats, logger, waiter, control: controlHandler(control), now: resolved.now };

  const servers = {
    billing: createApiServer(
      billingApi({
        store,
        tokens,
        latencyMs: resolved.latencyMs,
        limiter: limiter(),
        organizationId: resolved.organizationId,
      }),
      deps,
    ),
    analytics: createApiServer(
      analyticsApi({ store, apiKey: credentials.apiKey, latencyMs: resolved.latencyMs, limiter: limiter() }),
      deps,
    ),
    accounts: createApiServer(accountsApi(tokens, stats), deps),
  };

  const closeAll = async () => {
    waiter.cancelAll();
    await Promise.all(Object.values(servers).map(closeServer));
  };

  try {
    for (const name of ['billing', 'analytics', 'accounts'] as const) {
      const port = await listen(servers[name], resolved.host, resolved.ports[name], name);
      urls[name] = origin(resolved.host, port);
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  logger.info(
    { billingUrl: urls.billing, analyticsUrl: urls.analytics, accountsUrl: urls.accounts },
    'sandbox listening',
  );

  let closing: Promise<void> | undefined;
  return {
    billingUrl: urls.billing,
    analyticsUrl: urls.analytics,
    tokenUrl: `${urls.accounts}${TOKEN_PATH}`,
    credentials,
    setFaults: (list) => faults.set(list),
    mutate: control.mutate,
    groundTruth: control.groundTruth,
    digest: control.digest,
    catalog: sandboxCatalog,
    stats: control.stats,
    resetStats: control.resetStats,
    close: () => {
      closing ??= closeAll();
      return closing;
    },
  };
}
