import { HostawayIpRateLimit, RequestAbortedError, SlidingWindowLog, sharedIpRateLimit } from './rate-limit';

/** The largest number of starts (or arrivals) inside any window [t, t + windowMs). */
function maxStartsInWindow(starts: number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let max = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    max = Math.max(max, i - j + 1);
  }
  return max;
}

/** Runs `count` tasks of `taskMs` each through `schedule`, recording start times and the in-flight peak. */
async function run(
  schedule: <T>(task: () => Promise<T>) => Promise<T>,
  count: number,
  taskMs: number,
  record: { starts: number[]; peak: number; inFlight: number },
) {
  await Promise.all(
    Array.from({ length: count }, () =>
      schedule(async () => {
        record.starts.push(Date.now());
        record.inFlight++;
        record.peak = Math.max(record.peak, record.inFlight);
        await new Promise((resolve) => setTimeout(resolve, taskMs));
        record.inFlight--;
      }),
    ),
  );
}

describe('SlidingWindowLog', () => {
  it('holds a slot while in flight and until `windowMs` after it settled', () => {
    const log = new SlidingWindowLog(2, 100);
    expect(log.waitMs(0)).toBe(0);
    const first = log.take();
    const second = log.take();
    expect(log.waitMs(50)).toBe(Infinity);
    second.settledAt = 60;
    expect(log.waitMs(70)).toBe(90);
    first.settledAt = 30;
    expect(log.waitMs(70)).toBe(60);
    expect(log.waitMs(130)).toBe(0);
    log.take();
    expect(log.waitMs(135)).toBe(25);
  });

  it('refuses a limit below 1 or an empty window', () => {
    expect(() => new SlidingWindowLog(0, 100)).toThrow(RangeError);
    expect(() => new SlidingWindowLog(1.5, 100)).toThrow(RangeError);
    expect(() => new SlidingWindowLog(1, 0)).toThrow(RangeError);
  });

  it('measures windows the way the spec helper does', () => {
    expect(maxStartsInWindow([0, 10, 199, 200, 201], 200)).toBe(4);
    expect(maxStartsInWindow([0, 10, 199, 210, 211], 200)).toBe(3);
    expect(maxStartsInWindow([0, 200, 400], 200)).toBe(1);
  });
});

describe('rate limits', () => {
  it('one account: never more than accountRate starts per window, never more than concurrency in flight', async () => {
    const ip = new HostawayIpRateLimit({ ipRate: 50, windowMs: 200 });
    const account = ip.forAccount({ accountRate: 4, concurrency: 2 });
    const record = { starts: [] as number[], peak: 0, inFlight: 0 };
    const started = Date.now();
    await run((task) => account.schedule(task), 12, 60, record);
    expect(record.starts).toHaveLength(12);
    expect(maxStartsInWindow(record.starts, 200)).toBeLessThanOrEqual(4);
    expect(record.peak).toBe(2);
    // 12 starts at ≤ 4 per 200 ms: the 12th cannot start before 400 ms
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
  });

  it('two accounts share the IP budget: 5 per 200 ms together', async () => {
    const ip = new HostawayIpRateLimit({ ipRate: 5, windowMs: 200 });
    const a = ip.forAccount({ accountRate: 100, concurrency: 4 });
    const b = ip.forAccount({ accountRate: 100, concurrency: 4 });
    const recordA = { starts: [] as number[], peak: 0, inFlight: 0 };
    const recordB = { starts: [] as number[], peak: 0, inFlight: 0 };
    await Promise.all([run((t) => a.schedule(t), 8, 5, recordA), run((t) => b.schedule(t), 8, 5, recordB)]);
    const all = [...recordA.starts, ...recordB.starts];
    expect(all).toHaveLength(16);
    expect(maxStartsInWindow(all, 200)).toBeLessThanOrEqual(5);
    // the limit is used, not just respected by being slow: some window holds exactly 5
    expect(maxStartsInWindow(all, 200)).toBe(5);
  });

  it('spaces arrivals by the window even when an earlier request reached upstream late', async () => {
    // upstream counts arrivals: the first request travels 80 ms, the others arrive as they start
    const ip = new HostawayIpRateLimit({ ipRate: 2, windowMs: 200 });
    const account = ip.forAccount({ accountRate: 100, concurrency: 4 });
    const arrivals: number[] = [];
    await Promise.all(
      [80, 0, 0, 0].map((travelMs) =>
        account.schedule(async () => {
          await new Promise((resolve) => setTimeout(resolve, travelMs));
          arrivals.push(Date.now());
        }),
      ),
    );
    expect(arrivals).toHaveLength(4);
    // started at its start, the slow request's window would let the last one in at ~200 ms, next to it
    expect(maxStartsInWindow(arrivals, 200)).toBeLessThanOrEqual(2);
  });

  it('a request that failed settles its slot and wakes a request of another account waiting for it', async () => {
    const ip = new HostawayIpRateLimit({ ipRate: 1, windowMs: 100 });
    const a = ip.forAccount({ accountRate: 10, concurrency: 1 });
    const b = ip.forAccount({ accountRate: 10, concurrency: 1 });
    let failedAt = 0;
    const failing = a.schedule(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      failedAt = Date.now();
      throw new Error('socket hang up');
    });
    const waiting = b.schedule(async () => Date.now());
    await expect(failing).rejects.toThrow('socket hang up');
    expect(await waiting).toBeGreaterThanOrEqual(failedAt + 100);
  });

  it('rejects a request waiting for a slot as soon as the signal aborts', async () => {
    const ip = new HostawayIpRateLimit({ ipRate: 1, windowMs: 100 });
    const account = ip.forAccount({ accountRate: 10, concurrency: 2 });
    const abort = new AbortController();
    let release = () => {};
    const inFlight = account.schedule(() => new Promise<void>((resolve) => (release = resolve)));
    const waiting = account.schedule(async () => 'started', abort.signal);
    await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort();
    // the slot it waits for is held until the in-flight request settles: only the abort can end the wait
    const outcome = await Promise.race([
      waiting.then(
        () => 'started',
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1_000)),
    ]);
    expect(outcome).toBeInstanceOf(RequestAbortedError);
    release();
    await inFlight;
  });

  it('does not start queued requests once the signal aborted', async () => {
    const ip = new HostawayIpRateLimit({ ipRate: 1, windowMs: 300 });
    const account = ip.forAccount({ accountRate: 1, concurrency: 1 });
    const abort = new AbortController();
    let ran = 0;
    const first = account.schedule(async () => ++ran, abort.signal);
    const second = account.schedule(async () => ++ran, abort.signal);
    await first;
    abort.abort();
    await expect(second).rejects.toBeInstanceOf(RequestAbortedError);
    expect(ran).toBe(1);
  });

  it('shares one IP limit per upstream and limit; a caller configured with another limit keeps its own', () => {
    const options = { ipRate: 15, windowMs: 10_000 };
    const a = sharedIpRateLimit('http://a/', options);
    expect(sharedIpRateLimit('http://a/', { ipRate: 15, windowMs: 10_000 })).toBe(a);
    expect(sharedIpRateLimit('http://b/', options)).not.toBe(a);
    const share = sharedIpRateLimit('http://a/', { ipRate: 7, windowMs: 10_000 });
    expect(share).not.toBe(a);
    expect(share.options).toEqual({ ipRate: 7, windowMs: 10_000 });
    expect(sharedIpRateLimit('http://a/', { ipRate: 15, windowMs: 1_000 })).not.toBe(a);
  });
});
