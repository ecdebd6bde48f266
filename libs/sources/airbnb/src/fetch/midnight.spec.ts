import type { FetchJobContext, RawEnvelope } from '@staysync/core';
import { makeAirbnbCookie, startAirbnbSimulator, type AirbnbSimulator } from '@staysync/simulators';
import type { AirbnbAccountCredentials } from '../client';
import { airbnbFetchPlugin } from './airbnb-fetch-plugin';

/**
 * A job planned on its scrape day (2025-07-16) whose requests go out after midnight UTC: the clock
 * crosses into 2025-07-17 after the listings call, and the simulator counts offsets from its own day,
 * as Airbnb does. The job must still get exactly the planned dates.
 */
describe('Airbnb fetch plugin across midnight', () => {
  const ACCOUNT = '123456789';
  let simulator: AirbnbSimulator;
  let crossed = false;
  let calls = 0;
  const now = () => {
    calls++;
    // the preflight and the listings call happen on the scrape day, everything after on the next one
    if (calls > 2) crossed = true;
    return new Date(crossed ? '2025-07-17T00:00:05Z' : '2025-07-16T23:59:58Z');
  };

  beforeAll(async () => {
    simulator = await startAirbnbSimulator({
      accounts: [{ accountId: ACCOUNT, listingCount: 1, cookie: makeAirbnbCookie(ACCOUNT) }],
      today: () => (crossed ? '2025-07-17' : '2025-07-16'),
    });
  });

  afterAll(() => simulator.close());

  it('recomputes the offsets from the send day: every window is served with its planned dates; rows keep the scrape date', async () => {
    const plugin = airbnbFetchPlugin({
      baseUrl: simulator.url,
      apiKey: 'k',
      timeoutMs: 2000,
      minIntervalMs: 0,
      jitterMs: 0,
      listingPauseMs: 0,
      maxAttempts: 1,
      retryBaseMs: 1,
      lookaheadWeeks: 2,
      chartMetrics: ['CONVERSION:p3_impressions'],
      listOfMetrics: ['CONVERSION:conversion_rate'],
      now,
    });
    const published: RawEnvelope[] = [];
    const notes: string[] = [];
    const ctx: FetchJobContext<AirbnbAccountCredentials> = {
      job: { id: 'job-1', source: 'airbnb', accountId: ACCOUNT, mode: 'backfill', scrapeDate: '2025-07-16' },
      account: { last_sync_at: null },
      credentials: async () => ({
        cookie: makeAirbnbCookie(ACCOUNT),
        userAgent: 'Mozilla/5.0 Chrome/141.0.0.0',
        clientVersion: 'v',
      }),
      publish: async (envelopes) => void published.push(...envelopes),
      skipRequestKeys: new Set(),
      progress: {
        planned: () => undefined,
        fetched: () => undefined,
        failed: (_id, error) => {
          throw error;
        },
      },
      observer: { request: () => undefined, retry: () => undefined },
      signal: new AbortController().signal,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
      saveCredentials: async () => undefined,
      note: (message) => notes.push(message),
    };

    const outcome = await plugin.runJob(ctx);
    expect(outcome.status).toBe('completed');
    expect(crossed).toBe(true);

    const metricEnvelopes = published.filter((e) => e.window !== null);
    // first run from 2025-01-19 to 2025-08-02 (weekSunday 07-13 + 2 weeks + 6 d): 7 chart + 28 LoM windows
    expect(metricEnvelopes).toHaveLength(35);
    // what the server resolved (against 2025-07-17) is exactly what each envelope says was asked
    const served = simulator.stats().windows.map((w) => `${w.operation}:${w.start}..${w.end}`);
    expect(served).toEqual(metricEnvelopes.map((e) => `${e.operation}:${e.window!.start}..${e.window!.end}`));
    expect(simulator.stats().windows.every((w) => w.serverDay === '2025-07-17')).toBe(true);
    // the planned first window started 2025-01-19 (scrape day − 180 d → Sunday); from 07-17 that is still allowed
    expect(metricEnvelopes[0].window).toEqual({ start: '2025-01-19', end: '2025-02-15' });
    expect(metricEnvelopes[0].variables).toMatchObject({ relativeDsStart: -176, relativeDsEnd: -149 });
    for (const envelope of published) expect(envelope.scrapeDate).toBe('2025-07-16');
    expect(notes).toEqual([]);
  });
});
