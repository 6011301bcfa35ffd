/** A clock that stands still until the test moves it (past a token's lifetime, say): no real waiting. */
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
