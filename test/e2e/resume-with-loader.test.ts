import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { FetcherConfig } from '@staysync/config';
import type { AirbnbSimulator } from '@staysync/simulators';
import type { Client } from 'pg';
import { randomTopicPrefix, waitFor } from '../harness';
import {
  expectedJobRequests,
  insertQueuedJob,
  sendSyncCommand,
  startAirbnbFetcherSuite,
  startFetcher,
  waitForJob,
  type AirbnbFetcherSuite,
} from '../fetcher/fetcher-app';
import { CapturedLogs } from '../admin/admin-app';
import { loaderTestConfig, startLoader } from '../loader/loader-app';

/**
 * A fetcher dies mid-job (its lease lapses); another fetcher claims the job, skips every request whose
 * response the loader already stored, and the job completes with exactly the planned rows — the
 * simulator sees each metric request once in total.
 */
describe('E2E > a fetcher dies mid-job; another resumes it beside the loader', () => {
  const ACCOUNT = '2101';
  const prefix = randomTopicPrefix();
  let suite: AirbnbFetcherSuite;
  let sql: Client;
  let simulator: AirbnbSimulator;
  let config: FetcherConfig;
  let loader: INestApplication;
  const fetchers: NestExpressApplication[] = [];

  beforeAll(async () => {
    suite = await startAirbnbFetcherSuite({
      topicPrefix: prefix,
      simulator: { accounts: [{ accountId: ACCOUNT, listingCount: 3 }], latencyMs: 15 },
    });
    ({ sql, simulator, config } = suite);
    loader = await startLoader(
      loaderTestConfig({ DATABASE_URL: suite.db.url, KAFKA_TOPIC_PREFIX: prefix }),
      new CapturedLogs(),
    );
  });

  afterAll(async () => {
    for (const app of fetchers) await app.close().catch(() => undefined);
    await loader?.close();
    await suite?.close();
  });

  const storedKeys = async (jobId: string) =>
    (
      await sql.query<{ n: number }>(
        `SELECT count(DISTINCT request_key)::int AS n FROM airbnb.raw_responses WHERE job_id = $1`,
        [jobId],
      )
    ).rows[0].n;

  it('completes the job with each metric request made once and no duplicate rows', async () => {
    const jobId = await insertQueuedJob(sql, ACCOUNT);
    const first = (await startFetcher(config, { instanceId: 'fetcher-doomed' })).app;
    fetchers.push(first);
    await sendSyncCommand(first, jobId, ACCOUNT);
    const expectedOn = (scrapeDay: string) => expectedJobRequests(simulator, ACCOUNT, { scrapeDay });
    const partial = await waitForJob(
      sql,
      jobId,
      (j) =>
        j.scrape_day !== null && j.fetched >= expectedOn(j.scrape_day) / 3 && j.fetch_completed_at === null,
      'a third of the requests fetched',
    );
    const expected = expectedOn(partial.scrape_day!);
    await first.close();

    // Wait until the loader stored everything the first fetcher published, then make its end look like a
    // crash: a stale owner whose lease ran out (instead of the graceful hand-back).
    // GraphQL calls only: each fetcher also loads the two preflight pages
    const apiRequests = () => simulator.stats().requests - (simulator.stats().byOperation.preflight ?? 0);
    const publishedByFirst = apiRequests();
    await waitFor(async () => (await storedKeys(jobId)) === publishedByFirst || null, {
      what: 'loader caught up with the first fetcher',
    });
    await sql.query(
      `UPDATE ops.sync_jobs SET owner = 'fetcher-doomed', lease_until = now() - interval '1 second' WHERE id = $1`,
      [jobId],
    );
    expect(publishedByFirst).toBeLessThan(expected);

    fetchers.push((await startFetcher(config, { instanceId: 'fetcher-heir' })).app);
    const job = await waitForJob(
      sql,
      jobId,
      (j) => j.status === 'succeeded',
      'job succeeded after the resume',
      60_000,
    );
    expect(job).toMatchObject({ owner: null, planned: expected, fetched: expected, failed: 0 });
    const { rows } = await sql.query(`SELECT loaded, owner FROM ops.sync_jobs WHERE id = $1`, [jobId]);
    expect(rows[0].loaded).toBe(expected);

    // every request reached upstream exactly once across both fetchers: the heir plans from the
    // listings the first attempt saved with the job, without a second listings call
    expect(apiRequests()).toBe(expected);
    expect(await storedKeys(jobId)).toBe(expected);
    const duplicates = await sql.query(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM airbnb.chart_query WHERE account_id = $1 GROUP BY airbnb_listing_id, metric_date, time HAVING count(*) > 1) d`,
      [ACCOUNT],
    );
    expect(duplicates.rows[0].n).toBe(0);
  });
});
