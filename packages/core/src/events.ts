import type { ExtractEvent, ExtractEventListener, ExtractEventTarget } from './contracts.js';

/**
 * A tiny synchronous event target. Emitting costs nothing when nobody listens, `on` returns the
 * unsubscribe function, and a throwing listener never breaks extraction.
 */
export class ExtractEvents implements ExtractEventTarget {
  readonly #listeners = new Set<ExtractEventListener>();

  on(listener: ExtractEventListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  emit(event: ExtractEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A metrics or logging bug must not fail the extraction it observes.
      }
    }
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }
}
