import { type RequestSpec, requestKey } from '@siphon/paginators';

/** Requests a resource may have in flight for its next pages, unless configured (`pages_ahead`). */
export const DEFAULT_PAGES_AHEAD = 3;
/** The most `pages_ahead` accepts: each page ahead holds a parsed response in memory. */
export const MAX_PAGES_AHEAD = 16;

interface InFlight<T> {
  key: string;
  result: Promise<T>;
  controller: AbortController;
}

/**
 * Requests of one walk sent before the walk asks for them (pages ahead). The walk still asks for
 * every page in order (`take`), so records, checkpoints and state come out exactly as when
 * fetching one page at a time; a page sent ahead only saves the wait. Requests the walk never
 * asks for (past the end, or a wrong guess) are aborted and their answers, errors included,
 * never seen.
 */
export class PagesAhead<T> {
  readonly #send: (request: RequestSpec, signal: AbortSignal | undefined) => Promise<T>;
  readonly #signal: AbortSignal | undefined;
  #inFlight: InFlight<T>[] = [];
  /** Requests sent ahead and not settled yet, taken or not: the walk's signal aborts them all. */
  readonly #unsettled = new Set<AbortController>();
  #listening = false;
  /** One listener on the walk's signal for the whole window (not one per request: 16 would warn). */
  readonly #forward = () => {
    for (const controller of this.#unsettled) controller.abort(this.#signal?.reason);
  };

  constructor(
    send: (request: RequestSpec, signal: AbortSignal | undefined) => Promise<T>,
    signal: AbortSignal | undefined,
  ) {
    this.#send = send;
    this.#signal = signal;
  }

  /** Requests in flight that the walk has not asked for yet. */
  get size(): number {
    return this.#inFlight.length;
  }

  /**
   * Sends those of `requests` (the walk's next requests, in order) not in flight yet; aborts
   * in-flight ones no longer among them.
   */
  plan(requests: readonly RequestSpec[]): void {
    const kept: InFlight<T>[] = [];
    const byKey = new Map(this.#inFlight.map((entry) => [entry.key, entry]));
    for (const request of requests) {
      const key = requestKey(request);
      const entry = byKey.get(key) ?? this.#start(key, request);
      byKey.delete(key);
      kept.push(entry);
    }
    for (const stale of byKey.values()) this.#abort(stale);
    this.#inFlight = kept;
  }

  /** The answer to `request`: the one sent ahead when it was planned, else sent now. */
  take(request: RequestSpec): Promise<T> {
    if (this.#inFlight.length > 0) {
      const key = requestKey(request);
      const index = this.#inFlight.findIndex((entry) => entry.key === key);
      if (index >= 0) {
        const [entry] = this.#inFlight.splice(index, 1) as [InFlight<T>];
        return entry.result;
      }
      // The walk went elsewhere than predicted: those answers will never be asked for.
      this.discard();
    }
    return this.#send(request, this.#signal);
  }

  /** Aborts every request sent ahead and not taken (the walk ended or failed). */
  discard(): void {
    for (const entry of this.#inFlight) this.#abort(entry);
    this.#inFlight = [];
    if (this.#listening) this.#signal?.removeEventListener('abort', this.#forward);
    this.#listening = false;
  }

  #start(key: string, request: RequestSpec): InFlight<T> {
    // Its own controller, so it can be dropped alone; the walk's signal (consumer stop) aborts it too.
    const controller = new AbortController();
    const outer = this.#signal;
    if (outer?.aborted) controller.abort(outer.reason);
    else if (outer && !this.#listening) {
      outer.addEventListener('abort', this.#forward, { once: true });
      this.#listening = true;
    }
    this.#unsettled.add(controller);
    const result = this.#send(request, controller.signal);
    const settled = () => this.#unsettled.delete(controller);
    // Handled now: an answer past the end may fail, and nobody will ever ask for it.
    result.then(settled, settled);
    return { key, result, controller };
  }

  #abort(entry: InFlight<T>): void {
    entry.controller.abort(new DOMException('page not needed: the walk ended before it', 'AbortError'));
  }
}
