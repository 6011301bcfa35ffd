/** How hard to try. Defaults follow dlt: 5 attempts, exponential backoff, at most 300 s between tries. */
export interface RetryOptions {
  /** Total attempts including the first. Default 5. */
  maxAttempts?: number;
  /** Backoff base: attempt n waits a random time in [0, initialDelayMs * 2^(n-1)]. Default 1000. */
  initialDelayMs?: number;
  /** Cap for any wait, computed or asked for by the server. Default 300 000. */
  maxDelayMs?: number;
  /** Statuses worth retrying. Default 429, 500, 502, 503, 504. */
  statuses?: readonly number[];
  /** Honour `Retry-After` and `X-RateLimit-Reset`. Default true. */
  respectRetryAfter?: boolean;
}

export interface ResolvedRetryOptions {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  statuses: ReadonlySet<number>;
  respectRetryAfter: boolean;
}

export const DEFAULT_RETRY_STATUSES = [429, 500, 502, 503, 504] as const;

export function resolveRetryOptions(options: RetryOptions = {}): ResolvedRetryOptions {
  return {
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 5)),
    initialDelayMs: Math.max(0, options.initialDelayMs ?? 1000),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 300_000),
    statuses: new Set(options.statuses ?? DEFAULT_RETRY_STATUSES),
    respectRetryAfter: options.respectRetryAfter ?? true,
  };
}

/** `Retry-After` as delta-seconds or an HTTP-date, in ms from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// Values above this are epoch timestamps, not "seconds until reset" (1e9 s is 31 years).
const EPOCH_SECONDS_THRESHOLD = 1_000_000_000;
const EPOCH_MILLIS_THRESHOLD = 1_000_000_000_000;

/** `X-RateLimit-Reset`, which APIs send as seconds-until-reset, epoch seconds or epoch ms. */
export function parseRateLimitReset(value: string | null, now: number): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const n = Number(value);
  if (n >= EPOCH_MILLIS_THRESHOLD) return Math.max(0, Math.round(n - now));
  if (n >= EPOCH_SECONDS_THRESHOLD) return Math.max(0, Math.round(n * 1000 - now));
  return Math.round(n * 1000);
}

export interface ServerDelay {
  ms: number;
  header: 'retry-after' | 'x-ratelimit-reset';
}

/** The wait a response asks for, if any: `Retry-After` first, then `X-RateLimit-Reset`. */
export function serverRequestedDelay(
  headers: { get(name: string): string | null },
  now: number,
): ServerDelay | undefined {
  const retryAfter = parseRetryAfter(headers.get('retry-after'), now);
  if (retryAfter !== undefined) return { ms: retryAfter, header: 'retry-after' };
  const reset = parseRateLimitReset(headers.get('x-ratelimit-reset'), now);
  if (reset !== undefined) return { ms: reset, header: 'x-ratelimit-reset' };
  return undefined;
}

/** True when a successful response says the budget is spent (`X-RateLimit-Remaining: 0`). */
export function budgetExhausted(headers: { get(name: string): string | null }): boolean {
  const remaining = headers.get('x-ratelimit-remaining');
  return remaining !== null && remaining.trim() === '0';
}
