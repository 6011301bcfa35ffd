import {
  asError,
  type Page,
  type ResourceDescriptor,
  type ResourceResult,
  type ResourceState,
  type ResourceWriter,
  type Sink,
  type SinkOpenContext,
} from '@siphon/core';

/** How a stopped unit's open transaction ended. */
export type HandoverOutcome =
  /** The pages read so far were committed with their checkpoint: the next owner resumes after them. */
  | { type: 'committed'; resource: string; pages: number }
  /** A newer owner fenced this replica first: nothing of the open transaction is visible. */
  | { type: 'fenced'; resource: string; error: Error }
  /** The commit failed otherwise; the transaction was aborted. */
  | { type: 'failed'; resource: string; error: Error };

/**
 * Wraps a sink for one unit run so that, when the run is stopped (`signal` aborts: the unit was
 * revoked, or the replica shuts down), the writer commits the pages it already accepted, with the
 * state of the last one, instead of dropping them. That is a normal intermediate commit (the run is
 * marked incomplete, so no delete detection happens), and the unit's next owner resumes right
 * after it. If the replica was already fenced (it lost the unit while paused), the commit fails
 * with the sink's FENCED error and the transaction is dropped: the new owner re-reads those pages.
 * Any other failure (an error of the API or Kafka) still aborts, as without the wrapper.
 */
export function handoverSink(
  sink: Sink,
  signal: AbortSignal,
  onHandover: (outcome: HandoverOutcome) => void,
): Sink {
  const wrapped: Sink = {
    open: async (resource: ResourceDescriptor, context: SinkOpenContext) =>
      new HandoverWriter(await sink.open(resource, context), resource.name, signal, onHandover),
    close: () => sink.close(),
  };
  const store = sink.stateStore?.bind(sink);
  if (store) wrapped.stateStore = store;
  return wrapped;
}

class HandoverWriter implements ResourceWriter {
  #pages = 0;
  #records = 0;
  #last: ResourceState | undefined;

  constructor(
    private readonly inner: ResourceWriter,
    private readonly resource: string,
    private readonly signal: AbortSignal,
    private readonly onHandover: (outcome: HandoverOutcome) => void,
  ) {}

  async write(page: Page): Promise<void> {
    await this.inner.write(page);
    this.#pages++;
    this.#records += page.records.length;
    this.#last = page.state;
  }

  finish(result: ResourceResult, finalState: ResourceState): Promise<void> {
    return this.inner.finish(result, finalState);
  }

  async abort(reason: unknown): Promise<void> {
    const last = this.#last;
    if (!this.signal.aborted || last === undefined) return this.inner.abort(reason);
    const result = { resource: this.resource, pages: this.#pages, records: this.#records, complete: false };
    try {
      await this.inner.finish(result, last);
      this.onHandover({ type: 'committed', resource: this.resource, pages: this.#pages });
    } catch (error) {
      const err = asError(error);
      this.onHandover({ type: isFenced(err) ? 'fenced' : 'failed', resource: this.resource, error: err });
      await this.inner.abort(reason);
    }
  }
}

/** The sink's FENCED error: another owner initialised the same transactional id. */
export function isFenced(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 6; depth++) {
    if ((e as { code?: unknown }).code === 'FENCED') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
