import { isRetriable, StaysyncError } from './errors';

/** Resolves after `ms`, or at once when `signal` aborts (callers check `signal.aborted`). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryPolicy {
  /** total tries, the first included */
  maxAttempts: number;
  baseMs: number;
  capMs: number;
}

/**
 * Delay before retry number `retry` (1 = the first retry): baseMs × 2^(retry−1), capped, but never
 * shorter than what upstream asked for with Retry-After (the reference code ignores it; we honour it).
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const backoff = Math.min(policy.baseMs * 2 ** (retry - 1), policy.capMs);
  return Math.max(backoff, retryAfterMs ?? 0);
}

/**
 * Runs `attempt` until it succeeds, throws a non-retriable error, or the tries run out (the last error
 * is thrown). An abort stops the retrying: the last error is thrown.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  hooks: { signal?: AbortSignal; onRetry?: (error: unknown, delayMs: number) => void } = {},
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetriable(error) || tries >= policy.maxAttempts || hooks.signal?.aborted) throw error;
      const retryAfterMs = error instanceof StaysyncError ? error.retryAfterMs : undefined;
      const delayMs = retryDelayMs(tries, policy, retryAfterMs);
      hooks.onRetry?.(error, delayMs);
      await sleep(delayMs, hooks.signal);
      if (hooks.signal?.aborted) throw error;
    }
  }
}
