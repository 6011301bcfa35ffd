/**
 * The one retry loop of Siphon: every place that tries again (HTTP calls, the Schema Registry,
 * topics that are still settling, a writer waiting out a broker outage, a unit taking over, the
 * runner waiting for its infrastructure) runs through `retry` with its own numbers. It decides
 * from the error (`retriable`, `retryAfterMs`), waits with capped exponential backoff, stops at a
 * number of tries, an elapsed deadline or an abort, and takes its clock from the caller in tests.
 */
import { sleep } from '../sleep.js';
import { type BackoffPolicy, backoffDelay } from './backoff.js';

/** How hard to try: the backoff plus the limits. With neither limit it tries until aborted. */
export interface RetryPolicy extends BackoffPolicy {
  /** Tries in all, the first included. Default: no limit. */
  maxAttempts?: number;
  /** Gives up rather than start a wait that would end later than this many ms after the first try. */
  deadlineMs?: number;
}

/** Time as the loop sees it; tests pass a fake one and never wait. */
export interface RetryClock {
  now(): number;
  /** Waits `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: RetryClock = { now: () => Date.now(), sleep };

/** A failed try that will be retried, as the `onRetry` hook sees it. */
export interface RetryFailure {
  error: unknown;
  /** The try that failed (1 = the first). */
  attempt: number;
  /** The wait before the next try. */
  delayMs: number;
  /** Whether the wait is the one the error asked for (`retryAfterMs`) rather than backoff. */
  asked: boolean;
  /** Since the first try started. */
  elapsedMs: number;
}

export interface RetryLoopOptions extends RetryPolicy {
  /** Stops the loop: before a try, after a failed one and during a wait; it rejects with the reason. */
  signal?: AbortSignal | undefined;
  /** Whether a failure is worth another try. Default {@link isRetriable}: the error's `retriable` flag. */
  retriable?: (error: unknown, attempt: number) => boolean;
  /** The wait a failure asks for (a server's `Retry-After`). Default {@link retryAfterOf}. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** Called before each wait, for logs and events. */
  onRetry?: (failure: RetryFailure) => void;
  clock?: RetryClock;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** The default decision: only an error that says so (`retriable: true`, as `SiphonError`s carry). */
export function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}

/** The wait an error asks for in its `retryAfterMs` (set from `Retry-After`), if it is a usable one. */
export function retryAfterOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const ms = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/**
 * Runs `run` (given the try's number, from 1) until it resolves, and resolves with its value.
 * Rethrows the last error, unchanged, when it is not retriable, when the tries run out, or when
 * the next wait would pass the deadline; rejects with the signal's reason once it aborts.
 */
export async function retry<T>(run: (attempt: number) => Promise<T>, options: RetryLoopOptions): Promise<T> {
  const clock = options.clock ?? systemClock;
  const retriable = options.retriable ?? isRetriable;
  const askedOf = options.retryAfterMs ?? retryAfterOf;
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  const { signal } = options;
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await run(attempt);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (attempt >= maxAttempts || !retriable(error, attempt)) throw error;
      const asked = askedOf(error);
      const delayMs = Math.min(asked ?? backoffDelay(attempt, options, random), options.maxDelayMs);
      const elapsedMs = clock.now() - started;
      if (options.deadlineMs !== undefined && elapsedMs + delayMs > options.deadlineMs) throw error;
      options.onRetry?.({ error, attempt, delayMs, asked: asked !== undefined, elapsedMs });
      await clock.sleep(delayMs, signal);
    }
  }
}
