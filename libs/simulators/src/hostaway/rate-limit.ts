import {
  failBody,
  HOSTAWAY_DEFAULT_RATE_LIMITS,
  type HostawayRateLimits,
  type RateLimitWindow,
} from './protocol';
import type { Reply } from './reply';

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

/** A request refused by a rate limit: how long until a slot frees, and which limit it hit. */
export interface RateLimitRefusal {
  waitMs: number;
  /** e.g. `15 requests per 10 s per IP` */
  exceeded: string;
}

/**
 * The limits of reference §2 over admitted arrivals: every request counts per client IP; a request
 * with a valid token (token mints excluded) also counts per account. A refused request is not
 * recorded in either window.
 */
export class HostawayRateLimiter {
  private readonly perIp: RateLimitWindow | false;
  private readonly perAccount: RateLimitWindow | false;
  private readonly ipWindows = new Map<string, SlidingWindow>();
  private readonly accountWindows = new Map<number, SlidingWindow>();

  /** `false` disables both limits, `perIp: false` or `perAccount: false` one; omitted ones take the defaults. */
  constructor(limits: HostawayRateLimits | false | undefined) {
    this.perIp = limits === false ? false : (limits?.perIp ?? HOSTAWAY_DEFAULT_RATE_LIMITS.perIp);
    this.perAccount =
      limits === false ? false : (limits?.perAccount ?? HOSTAWAY_DEFAULT_RATE_LIMITS.perAccount);
    // Validate eagerly (the constructor throws on bad values).
    if (this.perIp) new SlidingWindow(this.perIp.limit, this.perIp.windowMs);
    if (this.perAccount) new SlidingWindow(this.perAccount.limit, this.perAccount.windowMs);
  }

  /** Admits (and records) a request arriving at `now`, or says why not. */
  admit(now: number, ip: string, accountId: number | undefined): RateLimitRefusal | undefined {
    const ipWindow = this.perIp ? windowFor(this.ipWindows, ip, this.perIp) : undefined;
    const accountWindow =
      this.perAccount && accountId !== undefined
        ? windowFor(this.accountWindows, accountId, this.perAccount)
        : undefined;
    const ipWait = ipWindow?.waitMs(now) ?? 0;
    const accountWait = accountWindow?.waitMs(now) ?? 0;
    if (ipWait > 0 || accountWait > 0) {
      const exceeded =
        accountWait > 0 && this.perAccount
          ? `${describe(this.perAccount)} per account ${accountId}`
          : `${this.perIp ? describe(this.perIp) : ''} per IP`;
      return { waitMs: Math.max(ipWait, accountWait), exceeded };
    }
    ipWindow?.record(now);
    accountWindow?.record(now);
    return undefined;
  }
}

/** 429 `{"status":"fail"}` with Retry-After in whole seconds. */
export function tooManyRequests({ waitMs, exceeded }: RateLimitRefusal): Reply {
  return {
    status: 429,
    body: failBody(`Too Many Requests: rate limit of ${exceeded} exceeded`),
    headers: { 'Retry-After': String(retryAfterSeconds(waitMs)) },
  };
}

function windowFor<K>(windows: Map<K, SlidingWindow>, key: K, limit: RateLimitWindow): SlidingWindow {
  let window = windows.get(key);
  if (!window) {
    window = new SlidingWindow(limit.limit, limit.windowMs);
    windows.set(key, window);
  }
  return window;
}

function describe({ limit, windowMs }: RateLimitWindow): string {
  return `${limit} requests per ${windowMs / 1000} s`;
}
