import Bottleneck from 'bottleneck';
import { sleep } from '@staysync/core';

/**
 * Hostaway allows 15 requests per 10 s per IP and 20 per 10 s per account (reference §2). Every account
 * of the process shares one IP budget, so the process holds one `HostawayIpRateLimit` per upstream
 * (module registry below) and each job chains its account limiter to it.
 *
 * Bottleneck queues and bounds in-flight requests per account (`maxConcurrent`, default 4). The rates
 * come from two sliding-window logs checked right before a request starts: a start is admitted only
 * when both the IP log and the account log hold fewer than `limit` starts in the last window, and it
 * is recorded in both in the same synchronous step. Starts may come in bursts (up to the limit at
 * once), so the concurrency bound is what spreads them; no window ever holds more than `limit`.
 *
 * The logs' window is `windowMs` plus 5 % slack: upstream counts arrivals, and an early request that
 * travels slower than a later one (a new connection, say) lands closer to it than it started.
 */
export interface IpRateOptions {
  /** request starts per window for every account together */
  ipRate: number;
  windowMs: number;
}

export interface AccountRateOptions {
  /** request starts per window for this account */
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

/** The start times of the last window; `waitMs` tells how long until one more start is allowed. */
export class SlidingWindowLog {
  private readonly starts: number[] = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  waitMs(now: number): number {
    while (this.starts.length > 0 && this.starts[0] <= now - this.windowMs) this.starts.shift();
    if (this.starts.length < this.limit) return 0;
    return this.starts[this.starts.length - this.limit] + this.windowMs - now;
  }

  record(now: number): void {
    this.starts.push(now);
  }
}

export class HostawayIpRateLimit {
  private readonly log: SlidingWindowLog;

  constructor(readonly options: IpRateOptions) {
    this.log = new SlidingWindowLog(options.ipRate, withSlack(options.windowMs));
  }

  forAccount(options: AccountRateOptions): AccountRateLimiter {
    return new AccountRateLimiter(this, options);
  }

  /**
   * Waits until both logs admit a start, then starts `task` and records the start in both, in one
   * synchronous step. The recorded time is read after the task started, so it is never earlier than
   * the real start and the window check stays conservative.
   */
  async admit<T>(account: SlidingWindowLog, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (;;) {
      if (signal?.aborted) throw new RequestAbortedError();
      const now = Date.now();
      const waitMs = Math.max(this.log.waitMs(now), account.waitMs(now));
      if (waitMs <= 0) {
        const started = task();
        const startedAt = Date.now();
        this.log.record(startedAt);
        account.record(startedAt);
        return started;
      }
      await sleep(waitMs, signal);
    }
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
    this.log = new SlidingWindowLog(options.accountRate, withSlack(ip.options.windowMs));
  }

  /** Runs `task` (one upstream request) within the IP and account limits. */
  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.limiter.schedule(() => this.ip.admit(this.log, task, signal));
  }
}

function withSlack(windowMs: number): number {
  return Math.ceil(windowMs * 1.05);
}

const ipLimits = new Map<string, HostawayIpRateLimit>();

/**
 * The process-wide IP limit for an upstream (keyed by base URL); created with the options of its first
 * caller, so every job of the process shares it.
 */
export function sharedIpRateLimit(key: string, options: IpRateOptions): HostawayIpRateLimit {
  let limit = ipLimits.get(key);
  if (!limit) {
    limit = new HostawayIpRateLimit(options);
    ipLimits.set(key, limit);
  }
  return limit;
}
