import PQueue from 'p-queue';
import type { EventBus } from '../events.js';
import { sleep } from '../sleep.js';

export interface HostLimits {
  /** Requests in flight per host. Default 8. */
  maxConcurrency?: number;
  /** A request budget per host: at most `requests` starts in any window of `intervalMs`. */
  rateLimit?: { requests: number; intervalMs: number };
}

/**
 * One p-queue per host: a concurrency cap and a sliding-window request budget, so a known limit is
 * never hit. `pause` holds every request to a host until a time the server asked for (429).
 */
export class HostLimiter {
  readonly #queues = new Map<string, PQueue>();
  readonly #pausedUntil = new Map<string, number>();
  readonly #limits: HostLimits;
  readonly #events: EventBus | undefined;

  constructor(limits: HostLimits = {}, events?: EventBus) {
    this.#limits = limits;
    this.#events = events;
  }

  async schedule<T>(host: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const queue = this.#queue(host);
    const queuedAt = Date.now();
    const budgetBound = queue.isRateLimited;
    return queue.add(
      async () => {
        if (budgetBound) {
          this.#events?.emit({
            type: 'http.rate_limited',
            host,
            waitMs: Date.now() - queuedAt,
            source: 'budget',
          });
        }
        await this.#waitForPause(host, signal);
        return task();
      },
      { signal },
    ) as Promise<T>;
  }

  /** Holds new requests to `host` for `ms` (longer pauses win over shorter ones). */
  pause(host: string, ms: number): void {
    const until = Date.now() + ms;
    if (until > (this.#pausedUntil.get(host) ?? 0)) this.#pausedUntil.set(host, until);
  }

  async #waitForPause(host: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const wait = (this.#pausedUntil.get(host) ?? 0) - Date.now();
      if (wait <= 0) return;
      await sleep(wait, signal);
    }
  }

  #queue(host: string): PQueue {
    let queue = this.#queues.get(host);
    if (!queue) {
      const rate = this.#limits.rateLimit;
      queue = new PQueue({
        concurrency: this.#limits.maxConcurrency ?? 8,
        ...(rate ? { intervalCap: rate.requests, interval: rate.intervalMs, strict: true } : {}),
      });
      this.#queues.set(host, queue);
    }
    return queue;
  }
}
