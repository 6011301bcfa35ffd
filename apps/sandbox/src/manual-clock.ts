/**
 * A clock that stands still until the caller moves it: pass `now` to `startSandbox` (and to a
 * token cache that takes a clock), then `advance` it past a token's lifetime or a limit's window
 * instead of waiting for that in real time. It also fits core's `RetryClock` (`now` and `sleep`):
 * given to an HTTP transport as its `clock`, every wait between tries, for a host's pause or for
 * a request budget moves this clock on instead of taking real time.
 */
export function manualClock(start = Date.now()) {
  let at = start;
  return {
    now: () => at,
    advance(ms: number) {
      at += ms;
    },
    /**
     * A wait of `ms` on this clock: resolves on the next turn of the event loop with the clock at
     * least `ms` past the moment the wait began (waits that overlap end together, as they would in
     * real time). Rejects with the signal's reason when it is aborted first.
     */
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      const until = at + ms;
      return new Promise((resolve, reject) => {
        setImmediate(() => {
          if (signal?.aborted) {
            reject(signal.reason);
          } else {
            // A wait that ended already, a negative or a NaN one leaves the clock where it is.
            if (until > at) at = until;
            resolve();
          }
        });
      });
    },
  };
}

export type ManualClock = ReturnType<typeof manualClock>;
