import { backoffDelay, type BackoffOptions } from './backoff';

export interface RestartPolicy extends BackoffOptions {
  /** consecutive restarts before giving up */
  maxAttempts: number;
  /** a consumer that ran this long since its last (re)start has its restart count reset */
  stableMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = {
  initialMs: 1_000,
  maxMs: 30_000,
  maxAttempts: 8,
  stableMs: 60_000,
};

/** After a crash: start a new consumer after `delayMs`, or give up after `restarts` restarts in a row. */
export type RestartDecision =
  { restart: true; attempt: number; delayMs: number } | { restart: false; restarts: number };

/** Counts a consumer's crashes in a row against its RestartPolicy. */
export class RestartBudget {
  private attempts = 0;
  private runningSince = 0;

  constructor(private readonly policy: RestartPolicy) {}

  /** restarts in a row so far */
  get restarts(): number {
    return this.attempts;
  }

  /** the consumer joined its group and is consuming */
  running(now = performance.now()): void {
    this.runningSince = now;
  }

  crashed(now = performance.now()): RestartDecision {
    if (this.runningSince > 0 && now - this.runningSince >= this.policy.stableMs) this.attempts = 0;
    this.attempts += 1;
    if (this.attempts > this.policy.maxAttempts) return { restart: false, restarts: this.attempts - 1 };
    return { restart: true, attempt: this.attempts, delayMs: backoffDelay(this.attempts, this.policy) };
  }
}
