/**
 * Memoises a pure function of (seed, index[, extra]). Referenced records (customers, plans,
 * taxes) are looked up by many records; caching their identities halves generation time.
 * Each cache is bounded and simply starts over when full.
 */
export function memoize<T>(
  compute: (seed: number, index: number, extra: number) => T,
  limit = 50_000,
): (seed: number, index: number, extra?: number) => T {
  const caches = new Map<string, Map<number, T>>();
  return (seed, index, extra = 0) => {
    const key = `${seed}:${extra}`;
    let cache = caches.get(key);
    if (!cache) {
      if (caches.size > 16) caches.clear();
      cache = new Map();
      caches.set(key, cache);
    }
    let value = cache.get(index);
    if (value === undefined) {
      value = compute(seed, index, extra);
      if (cache.size >= limit) cache.clear();
      cache.set(index, value);
    }
    return value;
  };
}
