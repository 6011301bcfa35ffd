import PQueue from 'p-queue';
import type { EventBus } from '../events.js';
import { type RetryClock, systemClock } from '../retry/retry.js';

export interface HostLimits {
  /** Requests in flight per host. Default 8. */
  maxConcurrency?: number;
  /** A request budget per host: at most `requests` starts in any window of `intervalMs`. */
  rateLimit?: { requests: number; intervalMs: number };
}

interface HostState {
  /** The concurrency cap, and the queue that holds requests beyond it. */
  queue: PQueue;
  /** Until when the server asked us to hold new requests (epoch ms on the limiter's clock). */
  pausedUntil: number;
  /** When the last `rateLimit.requests` requests started, oldest first. */
  starts: number[];
  /** Requests take their turn (pause, budget) one at a time, in the order they left the queue. */
  turns: Promise<void>;
}

/**
 * Per host: a concurrency cap (a p-queue), a sliding-window request budget, and `pause`, which
 * holds every request to a host until a time the server asked for (429), so a known limit is
 * never hit. The budget and the pauses run on `clock`, so a test can step through them.
 */
export class HostLimiter {
  readonly #hosts = new Map<string, HostState>();
  readonly #limits: HostLimits;
  readonly #events: EventBus | undefined;
  readonly #clock: RetryClock;

  constructor(limits: HostLimits = {}, events?: EventBus, clock: RetryClock = systemClock) {
    this.#limits = limits;
    this.#events = events;
    this.#clock = clock;
  }

  async schedule<T>(host: string, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const state = this.#host(host);
    const queuedAt = this.#clock.now();
    return state.queue.add(
      async () => {
        const turn = state.turns.then(() => this.#waitForTurn(state, signal));
        state.turns = turn.then(
          () => {},
          () => {},
        );
        if (await turn) {
          this.#events?.emit({
            type: 'http.rate_limited',
            host,
            waitMs: this.#clock.now() - queuedAt,
            source: 'budget',
          });
        }
        return task();
      },
      { signal },
    ) as Promise<T>;
  }

  /** Holds new requests to `host` for `ms` (longer pauses win over shorter ones). */
  pause(host: string, ms: number): void {
    const state = this.#host(host);
    state.pausedUntil = Math.max(state.pausedUntil, this.#clock.now() + ms);
  }

  /**
   * Waits until the host is not paused and the budget has room, then counts the start. Resolves
   * with whether the budget made the request wait.
   */
  async #waitForTurn(state: HostState, signal?: AbortSignal): Promise<boolean> {
    const rate = this.#limits.rateLimit;
    let heldByBudget = false;
    for (;;) {
      signal?.throwIfAborted();
      const now = this.#clock.now();
      const paused = state.pausedUntil - now;
      // The start `requests` starts ago must have left the window.
      const oldest = rate ? state.starts[state.starts.length - rate.requests] : undefined;
      const budget = rate && oldest !== undefined ? oldest + rate.intervalMs - now : 0;
      if (paused <= 0 && budget <= 0) {
        if (rate) {
          state.starts.push(now);
          if (state.starts.length > rate.requests) state.starts.shift();
        }
        return heldByBudget;
      }
      if (budget > 0) heldByBudget = true;
      await this.#clock.sleep(Math.max(paused, budget), signal);
    }
  }

  #host(host: string): HostState {
    let state = this.#hosts.get(host);
    if (!state) {
      state = {
        queue: new PQueue({ concurrency: this.#limits.maxConcurrency ?? 8 }),
        pausedUntil: 0,
        starts: [],
        turns: Promise.resolve(),
      };
      this.#hosts.set(host, state);
    }
    return state;
  }
}
