import { setLongTimeout } from './timers.js';

/**
 * Waits `ms` (any duration, see timers.ts); if `signal` aborts first, rejects with the signal's own
 * reason (not a generic AbortError).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) {
    try {
      signal?.throwIfAborted();
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      timer.clear();
      reject(signal?.reason);
    };
    const timer = setLongTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
