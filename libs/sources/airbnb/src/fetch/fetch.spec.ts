import { FatalRequestError, TransientError } from '@staysync/core';
import { Pacer } from './pacing';
import { retryDelayMs, withRetries, type RetryPolicy } from '@staysync/core';

const policy: RetryPolicy = { maxAttempts: 4, baseMs: 100, capMs: 350 };

describe('retryDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy))).toEqual([100, 200, 350, 350]);
  });

  it('waits at least as long as Retry-After asks', () => {
    expect(retryDelayMs(1, policy, 1000)).toBe(1000);
    expect(retryDelayMs(2, policy, 50)).toBe(200);
  });
});

describe('withRetries', () => {
  const fast: RetryPolicy = { maxAttempts: 3, baseMs: 1, capMs: 1 };

  it('retries transient errors until success', async () => {
    let calls = 0;
    const retried: number[] = [];
    const result = await withRetries(
      async () => {
        calls++;
        if (calls < 3) throw new TransientError('503');
        return 'ok';
      },
      fast,
      { onRetry: (_e, delay) => retried.push(delay) },
    );
    expect(result).toBe('ok');
    expect(retried).toHaveLength(2);
  });

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new TransientError(`try ${calls}`);
      }, fast),
    ).rejects.toThrow('try 3');
    expect(calls).toBe(3);
  });

  it('does not retry a fatal error', async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new FatalRequestError('400');
      }, fast),
    ).rejects.toThrow('400');
    expect(calls).toBe(1);
  });

  it('stops retrying once aborted', async () => {
    const abort = new AbortController();
    let calls = 0;
    const run = withRetries(
      async () => {
        calls++;
        abort.abort();
        throw new TransientError('503');
      },
      { ...fast, baseMs: 10_000, capMs: 10_000 },
      { signal: abort.signal },
    );
    await expect(run).rejects.toThrow('503');
    expect(calls).toBe(1);
  });
});

describe('Pacer', () => {
  it('does not wait before the first request and spaces the next start by interval + jitter', async () => {
    const pacer = new Pacer({ minIntervalMs: 40, jitterMs: 20, random: () => 0.5 });
    const t0 = Date.now();
    await pacer.wait();
    expect(Date.now() - t0).toBeLessThan(20);
    pacer.finished();
    await pacer.wait();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(48);
  });

  it('counts the interval from the previous start: a slow answer is not paid twice', async () => {
    const pacer = new Pacer({ minIntervalMs: 50, jitterMs: 0 });
    await pacer.wait();
    const t0 = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 60)); // the request takes longer than the interval
    pacer.finished();
    await pacer.wait();
    expect(Date.now() - t0).toBeLessThan(60 + 20);
  });

  it('pays a queued pause only before the next request, in place of the interval when longer', async () => {
    const pacer = new Pacer({ minIntervalMs: 0, jitterMs: 0 });
    await pacer.wait();
    pacer.finished();
    pacer.pauseBeforeNext(60);
    const t0 = Date.now();
    await pacer.wait();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(55);
    pacer.finished();
    const t1 = Date.now();
    await pacer.wait();
    expect(Date.now() - t1).toBeLessThan(20);
  });
});
