import type { NestExpressApplication } from '@nestjs/platform-express';
import type { FetcherConfig } from '@staysync/config';
import type { AirbnbSimulator } from '@staysync/simulators';
import { randomTopicPrefix, waitFor } from '@staysync/testing';
import type { Client } from 'pg';
import {
  RawTopicReader,
  startAirbnbFetcherSuite,
  startFetcher,
  startPartialJob,
  waitForJob,
  type AirbnbFetcherSuite,
} from '../fetcher/fetcher-app';

/**
 * A job handed back mid-fetch (SIGTERM) is resumed by another fetcher without a second upstream call
 * for anything the first one published: the published request keys were saved with its progress and
 * its plan (the listings) with the job, so the raw topic carries every request key exactly once and
 * the listings call is not repeated.
 */
describe('fetcher resume without re-fetching', () => {
  const ACCOUNT = '4001';
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
      simulator: { accounts: [{ accountId: ACCOUNT, listingCount: 3 }], latencyMs: 20 },
    });
    ({ sql, simulator, config } = suite);
    await raw.start();
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await raw.stop();
    await suite?.close();
  });

  it('publishes every request key once and makes the listings call once across the hand-back', async () => {
    const first = (await startFetcher(config, { instanceId: 'fetcher-a' })).app;
    apps.push(first);
    const { jobId, expected } = await startPartialJob(sql, first, simulator, ACCOUNT, 10);
    await first.close();
    await waitForJob(sql, jobId, (j) => j.owner === null, 'hand-back');
    const { rows } = await sql.query<{ n: number; listings: number }>(
      `SELECT (SELECT count(*)::int FROM ops.published_requests WHERE job_id = $1) AS n,
              (SELECT jsonb_array_length(plan->'listings') FROM ops.sync_jobs WHERE id = $1) AS listings`,
      [jobId],
    );
    // the test's own consumer of the raw topic may still be catching up
    await waitFor(() => raw.forJob(jobId).length === rows[0].n || null, {
      what: 'the raw topic holding every published request',
    });
    expect(rows[0].listings).toBe(3);

    apps.push((await startFetcher(config, { instanceId: 'fetcher-b' })).app);
    const job = await waitForJob(
      sql,
      jobId,
      (j) => j.fetch_completed_at !== null,
      'fetch completion by the second fetcher',
    );
    expect(job).toMatchObject({ owner: 'fetcher-b', fetched: expected, failed: 0 });

    const messages = await waitFor(
      () => {
        const mine = raw.forJob(jobId);
        return new Set(mine.map((m) => m.key)).size >= expected ? mine : null;
      },
      { what: 'every request key on the raw topic' },
    );
    // no duplicates: each key published by exactly one of the two fetchers, the listings once
    expect(messages).toHaveLength(expected);
    expect(messages.filter((m) => m.envelope.operation === 'ListingsSectionQuery')).toHaveLength(1);
  });
});
