import type { Logger } from 'pino';
import { z } from 'zod';
import type { Fault } from './faults.js';
import { validateFault } from './faults.js';
import type { RateLimit } from './rate-limit.js';
import type { Credentials, TokenLimit } from './tokens.js';

export interface SandboxOptions {
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string | undefined;
  /** 0 (the default) picks a free port. Three separate origins. */
  ports?:
    | { billing?: number | undefined; analytics?: number | undefined; accounts?: number | undefined }
    | undefined;
  /** Seeds the data, the credentials and the fault dice. Default 42. */
  seed?: number | undefined;
  /** Records per resource unless `sizes` says otherwise. Default 250. */
  size?: number | undefined;
  /** Per-resource sizes, by seed resource name (`quotes`) or data key (`estimates`). */
  sizes?:
    | { billing?: Record<string, number> | undefined; analytics?: Record<string, number> | undefined }
    | undefined;
  /** Billing access-token lifetime. Default 3600. */
  tokenTtlSeconds?: number | undefined;
  /** Access tokens one refresh token may get per window. Default 10 per 600 s. */
  tokenLimit?: TokenLimit | undefined;
  /** Each grant returns a new `refresh_token` and revokes the one used. Default false. */
  rotateRefreshToken?: boolean | undefined;
  /** Added to every billing and analytics response. Default 0. */
  latencyMs?: number | undefined;
  /** A real limit per API origin: 429 past `requests` per `windowSeconds`. */
  rateLimit?: RateLimit | undefined;
  faults?: Fault[] | undefined;
  /** Fixed credentials instead of the ones derived from the seed. */
  credentials?: { [K in keyof Credentials]?: Credentials[K] | undefined } | undefined;
  /** When set, billing requests must carry this `X-com-zoho-subscriptions-organizationid`. */
  organizationId?: string | undefined;
  /** Request logs go here at debug level. Default: silent. */
  logger?: Logger | undefined;
  /**
   * The clock, in epoch milliseconds, that access tokens expire by, that token limits and rate
   * limits count their windows by, and that a `Retry-After` date counts from. Default `Date.now`.
   * A test passes its own to step past a token's lifetime or a window without waiting for it.
   */
  now?: (() => number) | undefined;
}

const count = z.number().int().min(0);
const port = z.number().int().min(0).max(65535);
const positive = z.number().int().min(1);

/** The JSON-shaped part of the options, shared by `startSandbox` and config files. */
export const plainOptionsSchema = z.strictObject({
  host: z.string().min(1).optional(),
  ports: z
    .strictObject({ billing: port.optional(), analytics: port.optional(), accounts: port.optional() })
    .optional(),
  seed: count.optional(),
  size: count.optional(),
  sizes: z
    .strictObject({
      billing: z.record(z.string(), count).optional(),
      analytics: z.record(z.string(), count).optional(),
    })
    .optional(),
  tokenTtlSeconds: positive.optional(),
  tokenLimit: z.strictObject({ count: positive, windowSeconds: positive }).optional(),
  rotateRefreshToken: z.boolean().optional(),
  latencyMs: count.optional(),
  rateLimit: z.strictObject({ requests: positive, windowSeconds: positive }).optional(),
  credentials: z
    .strictObject({
      clientId: z.string().min(1).optional(),
      clientSecret: z.string().min(1).optional(),
      refreshToken: z.string().min(1).optional(),
      apiKey: z.string().min(1).optional(),
    })
    .optional(),
  organizationId: z.string().min(1).optional(),
});

export function describeZodError(error: z.ZodError, source: string): string {
  const lines = error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `  ${where}: ${issue.message}`;
  });
  return `${source}:\n${lines.join('\n')}`;
}

export interface ResolvedOptions {
  host: string;
  ports: { billing: number; analytics: number; accounts: number };
  seed: number;
  size: number;
  sizes: { billing?: Record<string, number>; analytics?: Record<string, number> };
  tokenTtlSeconds: number;
  tokenLimit: TokenLimit;
  rotateRefreshToken: boolean;
  latencyMs: number;
  rateLimit: RateLimit | undefined;
  faults: Fault[];
  credentials: Partial<Credentials>;
  organizationId: string | undefined;
  logger: Logger | undefined;
  now: () => number;
}

/** Validates options once, at the entry point, naming the bad key. */
export function resolveOptions(options: SandboxOptions): ResolvedOptions {
  const { faults = [], logger, now, ...plain } = options;
  const parsed = plainOptionsSchema.safeParse(plain);
  if (!parsed.success) throw new Error(describeZodError(parsed.error, 'invalid sandbox options'));
  if (!Array.isArray(faults)) throw new Error('invalid sandbox options: faults must be an array');
  if (now !== undefined && typeof now !== 'function')
    throw new Error('invalid sandbox options: now must be a function returning epoch milliseconds');
  const value = parsed.data;
  return {
    host: value.host ?? '127.0.0.1',
    // Each port on its own: spreading `value.ports` would let an explicit `undefined` replace the 0.
    ports: {
      billing: value.ports?.billing ?? 0,
      analytics: value.ports?.analytics ?? 0,
      accounts: value.ports?.accounts ?? 0,
    },
    seed: value.seed ?? 42,
    size: value.size ?? 250,
    sizes: withoutUndefined(value.sizes ?? {}),
    tokenTtlSeconds: value.tokenTtlSeconds ?? 3600,
    tokenLimit: value.tokenLimit ?? { count: 10, windowSeconds: 600 },
    rotateRefreshToken: value.rotateRefreshToken ?? false,
    latencyMs: value.latencyMs ?? 0,
    rateLimit: value.rateLimit,
    faults: faults.map(validateFault),
    // Without undefined entries, which would replace the seed's credentials when spread over them.
    credentials: withoutUndefined(value.credentials ?? {}),
    organizationId: value.organizationId,
    logger,
    now: now ?? Date.now,
  };
}

/** The object without its `undefined` properties. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
