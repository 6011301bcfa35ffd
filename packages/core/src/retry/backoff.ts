/** How long to wait between tries: exponential, capped, with or without jitter. */
export interface BackoffPolicy {
  /** The first wait (the cap of the first wait with full jitter). */
  initialDelayMs: number;
  /** No wait is longer, computed or asked for by the server (`retryAfterMs`). */
  maxDelayMs: number;
  /** Growth per try. Default 2. */
  factor?: number;
  /**
   * `full` (default): a uniform wait in [0, ceiling], so many clients failing together do not
   * retry in lockstep. `none`: exactly the ceiling, for loops whose numbers are documented.
   */
  jitter?: 'full' | 'none';
}

/**
 * The wait after the `attempt`-th failed try (1 = the first): the ceiling
 * `min(maxDelayMs, initialDelayMs * factor^(attempt-1))`, drawn uniformly from [0, ceiling] with
 * full jitter.
 */
export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const growth = (policy.factor ?? 2) ** Math.max(0, attempt - 1);
  const ceiling = Math.max(0, Math.min(policy.maxDelayMs, policy.initialDelayMs * growth));
  return policy.jitter === 'none' ? ceiling : Math.round(random() * ceiling);
}
