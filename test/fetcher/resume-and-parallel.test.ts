import type { NestExpressApplication } from '@nestjs/platform-express';
import type { FetcherConfig } from '@staysync/config';
import type { AirbnbSimulator } from '@staysync/simulators';
import type { Client } from 'pg';
import { randomTopicPrefix, waitFor } from '../harness';
import {
  expectedJobRequests,
  insertQueuedJob,
  RawTopicReader,
  sendSyncCommand,
  startAirbnbFetcherSuite,
  startFetcher,
  startPartialJob,
  waitForJob,
  type AirbnbFetcherSuite,
} from './fetcher-app';

/** Upstream latency makes time visible: accounts run in parallel, and a stopped fetcher's job is resumed by another. */
describe('Fetcher > parallel accounts and resume', () => {
  const PARALLEL = ['2001', '2002'];
  const RESUMED = '2003';
  const prefix = randomTopicPrefix();
  let suite: AirbnbFetcherSuite;
  let sql: Client;
  let simulator: AirbnbSimulator;
  let config: FetcherConfig;
  const apps: NestExpressApplication[] = [];
  const raw = new RawTopicReader(prefix);

  beforeAll(async () => {
    suite = await startAirbnbFetcherSuite({
      topicPrefix: prefix,
      simulator: {
        accounts: [...PARALLEL, RESUMED].map((accountId) => ({ accountId, listingCount: 4 })),
        latencyMs: 20,
      },
    });
    ({ sql, simulator, config } = suite);
    await raw.start();
    first = await fetcher('fetcher-a');
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await raw.stop();
    await suite?.close();
  });

  let first: NestExpressApplication;

  async function fetcher(instanceId: string): Promise<NestExpressApplication> {
    const { app } = await startFetcher(config, { instanceId });
    apps.push(app);
    return app;
  }

  it('works two accounts at the same time', async () => {
    const jobIds: string[] = [];
    for (const accountId of PARALLEL) {
      const jobId = await insertQueuedJob(sql, accountId);
      await sendSyncCommand(first, jobId, accountId);
      jobIds.push(jobId);
    }
    const jobs = await Promise.all(
      jobIds.map((id) => waitForJob(sql, id, (j) => j.fetch_completed_at !== null, 'fetch completion')),
    );

    const expected = jobs.map((job, i) =>
      expectedJobRequests(simulator, PARALLEL[i], { scrapeDay: job.scrape_day! }),
    );
    jobs.forEach((job, i) =>
      expect(job).toMatchObject({ planned: expected[i], fetched: expected[i], failed: 0 }),
    );
    const durations = jobs.map((j) => j.fetch_completed_at!.getTime() - j.started_at!.getTime());
    const span =
      Math.max(...jobs.map((j) => j.fetch_completed_at!.getTime())) -
      Math.min(...jobs.map((j) => j.started_at!.getTime()));
    // each job alone takes ≥ expected × 20 ms of upstream latency; side by side they overlap
    durations.forEach((ms, i) => expect(ms).toBeGreaterThanOrEqual(expected[i] * 20));
    expect(span).toBeLessThan(0.75 * (durations[0] + durations[1]));
  });

  it('hands a job back on graceful shutdown and another fetcher finishes it', async () => {
    const { jobId, expected } = await startPartialJob(sql, first, simulator, RESUMED, 0);
    await first.close();
    const handedBack = await waitForJob(sql, jobId, (j) => j.owner === null, 'hand-back');
    expect(handedBack.status).toBe('running');
    expect(handedBack.fetch_completed_at).toBeNull();
    expect(handedBack.fetched).toBeLessThan(expected);
    const publishedByFirst = raw.forJob(jobId).length;

    await fetcher('fetcher-b');
    const job = await waitForJob(
      sql,
      jobId,
      (j) => j.fetch_completed_at !== null,
      'fetch completion by the second fetcher',
    );
    expect(job).toMatchObject({ owner: 'fetcher-b', planned: expected, fetched: expected, failed: 0 });

    const keys = new Set(
      (
        await waitFor(
          () => {
            const messages = raw.forJob(jobId);
            return new Set(messages.map((m) => m.key)).size >= expected ? messages : null;
          },
          { what: 'every request key on the raw topic' },
        )
      ).map((m) => m.key),
    );
    expect(keys.size).toBe(expected);
    expect(publishedByFirst).toBeGreaterThan(0);
  });
});
