export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

/** A fixed window: at most `requests` per `windowSeconds`, counted from the window's first request. */
export class FixedWindowLimiter {
  private windowStart = 0;
  private used = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {}

  take(): RateDecision {
    const now = this.now();
    const windowMs = this.limit.windowSeconds * 1000;
    if (this.used === 0 || now - this.windowStart >= windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    const allowed = this.used < this.limit.requests;
    if (allowed) this.used++;
    return {
      allowed,
      limit: this.limit.requests,
      remaining: Math.max(0, this.limit.requests - this.used),
      resetSeconds: Math.max(1, Math.ceil((this.windowStart + windowMs - now) / 1000)),
    };
  }
}
