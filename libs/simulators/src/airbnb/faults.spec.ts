import { makeAirbnbCookie } from './cookie';
import { FaultInjector } from './faults';
import { type AirbnbSimulator, startAirbnbSimulator } from './server';
import { listingsArgs, post, requestBody } from './spec-helpers';

const HOST = '123456789';
const cookie = makeAirbnbCookie(HOST);

describe('FaultInjector', () => {
  it('fires every Nth request for `times` occurrences, then stops', () => {
    const faults = new FaultInjector({ serverErrors: { everyNth: 3, times: 2, status: 502 } });
    const kinds = Array.from({ length: 10 }, () => faults.next().kind);
    expect(kinds).toEqual([
      'none',
      'none',
      'serverError',
      'none',
      'none',
      'serverError',
      'none',
      'none',
      'none',
      'none',
    ]);
  });

  it('lets the first of timeout, server error, rate limit win a shared request', () => {
    const faults = new FaultInjector({ rateLimit: { times: 2 }, serverErrors: { times: 1 } });
    expect(Array.from({ length: 4 }, () => faults.next().kind)).toEqual([
      'serverError',
      'rateLimit',
      'rateLimit',
      'none',
    ]);
  });

  it('restarts its counter on set()', () => {
    const faults = new FaultInjector({ rateLimit: { everyNth: 2, times: 1 } });
    faults.next();
    faults.set({ rateLimit: { everyNth: 2, times: 1 } });
    expect(faults.next().kind).toBe('none');
    expect(faults.next()).toEqual({ kind: 'rateLimit', retryAfterSeconds: 1 });
  });

  it('rejects nonsense schedules', () => {
    expect(() => new FaultInjector({ rateLimit: { everyNth: 0 } })).toThrow(RangeError);
    expect(() => new FaultInjector({ timeouts: { hangMs: -1 } })).toThrow(RangeError);
  });
});

describe('Airbnb simulator faults over HTTP', () => {
  let sim: AirbnbSimulator;
  const listings = (signal?: AbortSignal) =>
    post(sim, 'ListingsSectionQuery', requestBody('ListingsSectionQuery', listingsArgs()), {
      cookie,
      signal,
    });

  beforeEach(async () => {
    sim = await startAirbnbSimulator({ accounts: [{ accountId: HOST, listingCount: 3 }] });
  });
  afterEach(() => sim.close());

  it('answers 429 with Retry-After (HTML, not JSON), then recovers', async () => {
    sim.setFaults({ rateLimit: { times: 2, retryAfterSeconds: 7 } });
    for (let i = 0; i < 2; i++) {
      const res = await listings();
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('7');
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      await res.text();
    }
    expect((await listings()).status).toBe(200);
    expect(sim.stats()).toMatchObject({
      byStatus: { '429': 2, '200': 1 },
      rejected: 0,
      byFault: { rateLimit: 2 },
    });
  });

  it('answers 5xx on every Nth request until `times` is used up', async () => {
    sim.setFaults({ serverErrors: { everyNth: 2, times: 2, status: 502 } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await listings();
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 502, 200, 502, 200, 200]);
  });

  it('holds a timed-out request until the client gives up, then recovers', async () => {
    sim.setFaults({ timeouts: { times: 1 } });
    await expect(listings(AbortSignal.timeout(200))).rejects.toThrow();
    expect((await listings()).status).toBe(200);
    expect(sim.stats()).toMatchObject({ requests: 2, byStatus: { '200': 1 }, byFault: { timeout: 1 } });
  });

  it('answers normally after hangMs', async () => {
    sim.setFaults({ timeouts: { times: 1, hangMs: 150 } });
    const started = performance.now();
    const res = await listings();
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('close() drops held requests instead of hanging', async () => {
    sim.setFaults({ timeouts: {} });
    const held = listings();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await sim.close();
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(held).rejects.toThrow();
  });
});
