import { setTimeout as timersSleep } from 'node:timers/promises';

/** Waits `ms`; if `signal` aborts first, rejects with the signal's own reason (not a generic AbortError). */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal?.throwIfAborted();
    return;
  }
  try {
    await timersSleep(ms, undefined, signal ? { signal } : undefined);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}
