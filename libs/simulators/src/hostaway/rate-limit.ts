/**
 * Sliding-window limiter over admitted request arrivals: a request is admitted when fewer than
 * `limit` admitted arrivals lie in the last `windowMs`; rejected (429) requests are not recorded,
 * so a client that waits Retry-After gets in.
 */
export class SlidingWindow {
  private readonly arrivals: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`rate limit must be an integer ≥ 1, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`rate limit windowMs must be > 0, got ${windowMs}`);
  }

  /** 0 when a request arriving at `now` would be admitted, else ms until the oldest arrival leaves. */
  waitMs(now: number): number {
    this.prune(now);
    if (this.arrivals.length < this.limit) return 0;
    return this.arrivals[0] + this.windowMs - now;
  }

  record(now: number): void {
    this.arrivals.push(now);
  }

  private prune(now: number): void {
    while (this.arrivals.length > 0 && this.arrivals[0] <= now - this.windowMs) this.arrivals.shift();
  }
}

/** Retry-After in whole seconds, at least 1. */
export function retryAfterSeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
