/**
 * Timers for any duration a user can write. Node (like browsers) keeps a timer's delay in a signed
 * 32-bit integer: anything above 2^31-1 ms (about 24.8 days) fires after 1 ms with a
 * TimeoutOverflowWarning, so a monthly schedule would run in a tight loop. Every user-configurable
 * delay goes through this module.
 */

/** The longest delay `setTimeout` honours (about 24.8 days). */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export interface LongTimer {
  /** Cancels the timer; calling it after the timer fired is harmless. */
  clear(): void;
  /** Lets the process exit while the timer is pending (like `Timeout.unref`), for every link of the chain. */
  unref(): LongTimer;
}

/**
 * Calls `callback` once after `ms` milliseconds, whatever the size of `ms`: delays beyond
 * {@link MAX_TIMER_DELAY_MS} are chained as several timers. `Infinity` never fires.
 */
export function setLongTimeout(callback: () => void, ms: number): LongTimer {
  let remaining = Number.isNaN(ms) ? 0 : Math.max(0, ms);
  let timer: NodeJS.Timeout | undefined;
  let unref = false;
  let cleared = false;
  const arm = () => {
    if (remaining === Number.POSITIVE_INFINITY) return;
    const step = Math.min(remaining, MAX_TIMER_DELAY_MS);
    remaining -= step;
    timer = setTimeout(() => {
      timer = undefined;
      if (cleared) return;
      if (remaining > 0) arm();
      else callback();
    }, step);
    if (unref) timer.unref();
  };
  arm();
  const handle: LongTimer = {
    clear() {
      cleared = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    unref() {
      unref = true;
      timer?.unref();
      return handle;
    },
  };
  return handle;
}

/**
 * A delay for an API that takes a plain timeout we cannot chain (a client library's request
 * timeout, `AbortSignal.timeout`): capped at {@link MAX_TIMER_DELAY_MS}. For a request timeout,
 * 24.8 days and "longer" are the same thing, while the uncapped value would time out after 1 ms.
 */
export function clampTimerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_DELAY_MS);
}
