import { EventEmitter } from 'node:events';
import Bottleneck from 'bottleneck';

/**
 * Hostaway allows 15 requests per 10 s per IP and 20 per 10 s per account (reference §2). Every account
 * of the process shares one IP budget, so the process holds one `HostawayIpRateLimit` per upstream
 * (module registry below) and each job chains its account limiter to it.
 *
 * Bottleneck queues and bounds in-flight requests per account (`maxConcurrent`, default 4). The rates
 * come from two sliding-window logs checked right before a request starts: a start is admitted only
 * when both the IP log and the account log hold fewer than `limit` requests, and it takes a slot in
 * both in the same synchronous step.
 *
 * Upstream counts arrivals, which we cannot see: a request may reach it any time between its start
 * and its response (a new connection, a busy event loop). So a slot is held while the request is in
 * flight and leaves the window `windowMs` after the response came back (an error response too), the
 * latest the arrival can have been. A later request then arrives at least `windowMs` after it, however
 * the two travelled, and no upstream window ever holds more than `limit` (no slack to guess). A request
 * that timed out or lost its connection settles when we gave up on it; should upstream count it later
 * still, the 429 that may follow is retried like any other.
 *
 * A task must not schedule another request on the same limiter: the inner one could wait for the
 * outer one's slot.
 */
export interface IpRateOptions {
  /** requests per window for every account together */
  ipRate: number;
  windowMs: number;
}

export interface AccountRateOptions {
  /** requests per window for this account */
  accountRate: number;
  /** requests in flight at once for this account */
  concurrency: number;
}

export const DEFAULT_CONCURRENCY = 4;

/** Thrown instead of starting a request once the signal aborted. */
export class RequestAbortedError extends Error {
  constructor() {
    super('stopped before starting the request: the job was aborted');
    this.name = 'RequestAbortedError';
  }
}

/** One admitted request's place in a window log. */
export interface WindowSlot {
  /** when its response came back (or it failed); Infinity while in flight. It leaves `windowMs` later. */
  settledAt: number;
}

/** The requests of the last window; `waitMs` tells how long until one more may start. */
export class SlidingWindowLog {
  private slots: WindowSlot[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`rate limit must be an integer ≥ 1, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`rate window must be > 0 ms, got ${windowMs}`);
  }

  /** 0 when a request may start at `now`; else ms until a slot leaves, Infinity until one in flight settles. */
  waitMs(now: number): number {
    this.slots = this.slots.filter((slot) => slot.settledAt > now - this.windowMs);
    if (this.slots.length < this.limit) return 0;
    const settled = this.slots.map((slot) => slot.settledAt).sort((a, b) => a - b);
    return settled[this.slots.length - this.limit] + this.windowMs - now;
  }

  take(): WindowSlot {
    const slot = { settledAt: Infinity };
    this.slots.push(slot);
    return slot;
  }
}

export class HostawayIpRateLimit {
  private readonly log: SlidingWindowLog;
  /** wakes requests that wait for one in flight to settle */
  private readonly settled = new EventEmitter();

  constructor(readonly options: IpRateOptions) {
    this.log = new SlidingWindowLog(options.ipRate, options.windowMs);
    this.settled.setMaxListeners(0);
  }

  forAccount(options: AccountRateOptions): AccountRateLimiter {
    return new AccountRateLimiter(this, options);
  }

  /**
   * Waits until both logs admit a start, then takes a slot in both and runs `task` (in one synchronous
   * step); the slots settle when the task does.
   */
  async admit<T>(account: SlidingWindowLog, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (;;) {
      if (signal?.aborted) throw new RequestAbortedError();
      const now = Date.now();
      const waitMs = Math.max(this.log.waitMs(now), account.waitMs(now));
      if (waitMs <= 0) break;
      await this.slotOrSettle(waitMs, signal);
    }
    const slots = [this.log.take(), account.take()];
    try {
      return await task();
    } finally {
      const at = Date.now();
      for (const slot of slots) slot.settledAt = at;
      this.settled.emit('settled');
    }
  }

  /** Sleeps `waitMs` (forever when Infinity), or until a request settles or the signal aborts. */
  private slotOrSettle(waitMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.settled.off('settled', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = Number.isFinite(waitMs) ? setTimeout(done, waitMs) : undefined;
      this.settled.on('settled', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

export class AccountRateLimiter {
  private readonly limiter: Bottleneck;
  private readonly log: SlidingWindowLog;

  constructor(
    private readonly ip: HostawayIpRateLimit,
    options: AccountRateOptions,
  ) {
    this.limiter = new Bottleneck({ maxConcurrent: options.concurrency });
    this.log = new SlidingWindowLog(options.accountRate, ip.options.windowMs);
  }

  /** Runs `task` (one upstream request) within the IP and account limits. */
  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.limiter.schedule(() => this.ip.admit(this.log, task, signal));
  }
}

const ipLimits = new Map<string, HostawayIpRateLimit>();

/**
 * The process-wide IP limit for an upstream (keyed by base URL and the limit itself), so every job of
 * the process, and admin's webhook calls where admin runs in the same process with the same limit,
 * share one budget. A caller configured with another limit keeps its own: each process's (or app's)
 * HOSTAWAY_IP_RATE is its share of the egress IP.
 */
export function sharedIpRateLimit(baseUrl: string, options: IpRateOptions): HostawayIpRateLimit {
  const key = `${baseUrl} ${options.ipRate}/${options.windowMs}ms`;
  let limit = ipLimits.get(key);
  if (!limit) {
    limit = new HostawayIpRateLimit(options);
    ipLimits.set(key, limit);
  }
  return limit;
}
