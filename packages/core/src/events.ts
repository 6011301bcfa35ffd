/**
 * Siphon's one event bus. Every event has a namespaced name (`<area>.<what happened>`, e.g.
 * `engine.page_fetched`, `http.retry`, `oauth2.token_requested`, `sink.transaction_committed`)
 * and a typed payload. The names and payloads live in one map, `SiphonEventMap`, which each
 * package extends for its own namespace by declaration merging:
 *
 * ```ts
 * declare module '@siphon/core' {
 *   interface SiphonEventMap {
 *     'oauth2.token_requested': { grantType: GrantType; reason: TokenRequestReason };
 *   }
 * }
 * ```
 *
 * An event is its payload plus `type`, its name, so a subscriber to every event can `switch` on
 * `event.type` and TypeScript narrows the payload. Emitting is synchronous and costs nothing when
 * nobody listens; a throwing subscriber never breaks the code that emitted (it is reported to the
 * bus's `onListenerError`, if given, and the other subscribers still get the event).
 */

/** Core's own events: the HTTP client's (`http.*`) and the extraction engine's (`engine.*`). */
export interface SiphonEventMap {
  'http.request': { resource?: string | undefined; method: string; url: string };
  'http.response': {
    resource?: string | undefined;
    method: string;
    url: string;
    status: number;
    bytes: number;
    durationMs: number;
  };
  'http.retry': {
    resource?: string | undefined;
    url: string;
    attempt: number;
    reason: string;
    delayMs: number;
  };
  /** A request waited for a rate limit: our own budget, or the server's (429, `Retry-After`). */
  'http.rate_limited': {
    resource?: string | undefined;
    host: string;
    waitMs: number;
    source: 'budget' | 'server';
  };
  'engine.page_fetched': { resource: string; index: number; records: number; url: string };
  'engine.resource_started': { resource: string; resumed: boolean };
  'engine.resource_finished': { resource: string; pages: number; records: number; durationMs: number };
  'engine.resource_failed': { resource: string; error: Error };
  /** Free text for logs only (a paginator's notes); anything worth counting gets its own event. */
  'engine.log': { level: 'debug' | 'info' | 'warn'; resource?: string | undefined; message: string };
}

export type SiphonEventName = keyof SiphonEventMap & string;

/** One event: its payload and its name as `type`. With no argument, the union of every event. */
export type SiphonEvent<N extends SiphonEventName = SiphonEventName> = {
  [K in N]: { readonly type: K } & SiphonEventMap[K];
}[N];

/** Names in one namespace, e.g. `EventNameIn<'oauth2'>`. */
export type EventNameIn<Namespace extends string> = Extract<SiphonEventName, `${Namespace}.${string}`>;

/** The events of the HTTP client and the extraction engine. */
export type ExtractEvent = SiphonEvent<EventNameIn<'http'> | EventNameIn<'engine'>>;

export type SiphonEventListener<N extends SiphonEventName = SiphonEventName> = (
  event: SiphonEvent<N>,
) => void;

/** Narrows an event to one namespace, e.g. `isEventIn(event, 'oauth2')`. */
export function isEventIn<Namespace extends string>(
  event: SiphonEvent,
  namespace: Namespace,
): event is SiphonEvent<EventNameIn<Namespace>> {
  return event.type.startsWith(`${namespace}.`);
}

export interface EventBus {
  /** Subscribes to one event name; returns the unsubscribe function. */
  on<N extends SiphonEventName>(name: N, listener: SiphonEventListener<N>): () => void;
  /** Subscribes to every event (a log or a metrics subscriber); returns the unsubscribe function. */
  onAny(listener: SiphonEventListener): () => void;
  /** Removes a listener given to `on` or `onAny`; a listener not subscribed is ignored. */
  off(listener: SiphonEventListener<never>): void;
  emit(event: SiphonEvent): void;
  /** True when someone listens to `name` (or to every event): skip building a costly payload otherwise. */
  listens(name: SiphonEventName): boolean;
}

export interface EventBusOptions {
  /** Told when a subscriber throws (e.g. to log it); the emitter never sees the error. */
  onListenerError?: (error: unknown, event: SiphonEvent) => void;
}

export function createEventBus(options: EventBusOptions = {}): EventBus {
  return new SyncEventBus(options.onListenerError);
}

type AnyListener = (event: SiphonEvent) => void;

class SyncEventBus implements EventBus {
  readonly #byName = new Map<string, Set<AnyListener>>();
  readonly #any = new Set<AnyListener>();
  readonly #onListenerError: EventBusOptions['onListenerError'];

  constructor(onListenerError: EventBusOptions['onListenerError']) {
    this.#onListenerError = onListenerError;
  }

  on<N extends SiphonEventName>(name: N, listener: SiphonEventListener<N>): () => void {
    let listeners = this.#byName.get(name);
    if (!listeners) {
      listeners = new Set();
      this.#byName.set(name, listeners);
    }
    listeners.add(listener as unknown as AnyListener);
    return () => this.off(listener);
  }

  onAny(listener: SiphonEventListener): () => void {
    this.#any.add(listener);
    return () => this.off(listener);
  }

  off(listener: SiphonEventListener<never>): void {
    const target = listener as unknown as AnyListener;
    this.#any.delete(target);
    for (const [name, listeners] of this.#byName) {
      listeners.delete(target);
      if (listeners.size === 0) this.#byName.delete(name);
    }
  }

  emit(event: SiphonEvent): void {
    const named = this.#byName.get(event.type);
    if (named) for (const listener of [...named]) this.#deliver(listener, event);
    if (this.#any.size > 0) for (const listener of [...this.#any]) this.#deliver(listener, event);
  }

  listens(name: SiphonEventName): boolean {
    return this.#any.size > 0 || this.#byName.has(name);
  }

  #deliver(listener: AnyListener, event: SiphonEvent): void {
    try {
      listener(event);
    } catch (error) {
      // A metrics or logging bug must not fail the work it observes.
      try {
        this.#onListenerError?.(error, event);
      } catch {
        // Nor may the error reporter's own bug.
      }
    }
  }
}
