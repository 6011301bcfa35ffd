/**
 * Keeps up to `ahead` items in flight ahead of the consumer, so fetching page n+1 overlaps with
 * writing page n, while memory stays bounded. `onStop` runs when the consumer stops early, to
 * cancel the work in flight.
 */
export async function* prefetch<T>(
  iterable: AsyncIterable<T>,
  ahead: number,
  onStop?: () => void,
): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  const pending: Array<Promise<IteratorResult<T>>> = [];
  let finished = false;
  const pull = () => {
    const next = iterator.next();
    // Marked handled now: a prefetched page may fail before the consumer asks for it.
    next.catch(() => {});
    pending.push(next);
  };
  try {
    for (;;) {
      if (pending.length === 0) pull();
      const result = await (pending.shift() as Promise<IteratorResult<T>>);
      if (result.done) {
        finished = true;
        return;
      }
      while (pending.length < ahead) pull();
      yield result.value;
    }
  } finally {
    if (!finished) {
      onStop?.();
      await iterator.return?.().catch(() => undefined);
    }
  }
}
