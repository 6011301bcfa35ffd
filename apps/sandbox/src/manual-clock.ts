/**
 * A clock that stands still until the caller moves it: pass `now` to `startSandbox` (and to a
 * token cache that takes a clock), then `advance` it past a token's lifetime or a limit's window
 * instead of waiting for that in real time.
 */
export function manualClock(start = Date.now()) {
  let at = start;
  return {
    now: () => at,
    advance(ms: number) {
      at += ms;
    },
  };
}

export type ManualClock = ReturnType<typeof manualClock>;
