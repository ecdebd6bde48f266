export interface BackoffOptions {
  /** delay before the first redelivery */
  initialMs: number;
  /** the delay doubles per failed attempt up to this cap */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * Delay before attempt `attempt + 1` (attempt counts failures, from 1): exponential with a cap,
 * ±20 % jitter so consumers that failed together do not retry together, and never sooner than
 * an error's own retry-after.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential * (0.8 + 0.4 * random()));
  return Math.max(jittered, retryAfterMs);
}

/** Failed attempts and pending resume timers, per topic-partition. */
export class PartitionRetries {
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly options: BackoffOptions) {}

  /** Records a failure and returns how long to wait before redelivering. */
  failed(partitionKey: string, retryAfterMs?: number): { attempt: number; delayMs: number } {
    const attempt = (this.attempts.get(partitionKey) ?? 0) + 1;
    this.attempts.set(partitionKey, attempt);
    return { attempt, delayMs: backoffDelay(attempt, this.options, retryAfterMs) };
  }

  succeeded(partitionKey: string): void {
    this.attempts.delete(partitionKey);
  }

  /** Runs `resume` after `delayMs`, unless cancelled first. */
  schedule(partitionKey: string, delayMs: number, resume: () => void): void {
    clearTimeout(this.timers.get(partitionKey));
    const timer = setTimeout(() => {
      this.timers.delete(partitionKey);
      resume();
    }, delayMs);
    // a pending redelivery must not keep a stopping process alive
    timer.unref();
    this.timers.set(partitionKey, timer);
  }

  cancelAll(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
