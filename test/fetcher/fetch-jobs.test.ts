import type { NestExpressApplication } from '@nestjs/platform-express';
import type { FetcherConfig } from '@staysync/config';
import { METRICS_REGISTRY } from '@staysync/observability';
import { makeAirbnbCookie, type AirbnbSimulator } from '@staysync/simulators';
import type { Client } from 'pg';
import type { Registry } from 'prom-client';
import request from 'supertest';
import { randomTopicPrefix, waitFor } from '../harness';
import {
  expectedJobRequests,
  expectedMetricRequests,
  insertQueuedJob,
  RawTopicReader,
  sendSyncCommand,
  startAirbnbFetcherSuite,
  startFetcher,
  waitForJob,
  type AirbnbFetcherSuite,
  type CapturedLogs,
} from './fetcher-app';

/**
 * The fetcher on a real PostgreSQL and broker against the in-process Airbnb simulator (no latency):
 * a whole job, an account whose credentials are rejected, and recovery from 429s and 5xx.
 * The loader does not run here, so jobs stop at fetch completion (status stays `running`).
 */
describe('Fetcher > jobs', () => {
  const FULL = '1001';
  const REJECTED = '1002';
  const BESIDE_REJECTED = '1003';
  const FLAKY = '1004';
  const prefix = randomTopicPrefix();
  let suite: AirbnbFetcherSuite;
  let sql: Client;
  let simulator: AirbnbSimulator;
  let config: FetcherConfig;
  let app: NestExpressApplication;
  let logs: CapturedLogs;
  const raw = new RawTopicReader(prefix);

  beforeAll(async () => {
    suite = await startAirbnbFetcherSuite({
      topicPrefix: prefix,
      simulator: {
        accounts: [
          { accountId: FULL, listingCount: 3, cookie: makeAirbnbCookie(FULL) },
          { accountId: REJECTED, listingCount: 2 },
          { accountId: BESIDE_REJECTED, listingCount: 2 },
          { accountId: FLAKY, listingCount: 2 },
        ],
        faults: { authFailureAccounts: [REJECTED] },
      },
    });
    ({ sql, simulator, config } = suite);
    await raw.start();
    ({ app, logs } = await startFetcher(config, { instanceId: 'fetcher-jobs-test' }));
  });

  afterAll(async () => {
    await app?.close();
    await raw.stop();
    await suite?.close();
  });

  it('fetches every planned request once, publishes one envelope each without credentials, and records fetch completion', async () => {
    const jobId = await insertQueuedJob(sql, FULL);
    await sendSyncCommand(app, jobId, FULL);

    const job = await waitForJob(sql, jobId, (j) => j.fetch_completed_at !== null, 'fetch completion');
    const metricRequests = expectedMetricRequests(simulator, FULL, { scrapeDay: job.scrape_day! });
    const expected = 1 + metricRequests.length;
    expect(job).toMatchObject({
      status: 'running',
      planned: expected,
      fetched: expected,
      failed: 0,
      error: null,
      owner: 'fetcher-jobs-test',
    });
    expect(Object.keys(job.progress).sort()).toEqual(
      ['ListingsSectionQuery', ...simulator.listingsFor(FULL).map((l) => l.id)].sort(),
    );

    const messages = await waitFor(() => (raw.forJob(jobId).length >= expected ? raw.forJob(jobId) : null), {
      what: 'raw envelopes',
    });
    expect(messages).toHaveLength(expected);
    const keys = new Set(messages.map((m) => m.key));
    expect(keys.size).toBe(expected);
    expect(keys).toEqual(
      new Set([
        `${FULL}:airbnb:ListingsSectionQuery:${job.scrape_day}`,
        ...metricRequests.map((r) => `${FULL}:${r.requestKey}`),
      ]),
    );
    for (const m of messages) expect(m.envelope.requestKey).toBe(m.key);

    const cookie = makeAirbnbCookie(FULL);
    const secretParts = cookie
      .split('; ')
      .map((pair) => pair.slice(pair.indexOf('=') + 1))
      .filter((v) => v.length > 8);
    for (const m of messages)
      for (const secret of [cookie, ...secretParts]) expect(m.value).not.toContain(secret);
    expect(logs.text()).toContain('fetch completed');
    for (const secret of [cookie, ...secretParts]) expect(logs.text()).not.toContain(secret);
    // the preflight (/hosting/insights, then its redirect to /performance/), then every planned request once
    expect(simulator.stats().byAccount[FULL]).toBe(2 + expected);
    expect(simulator.stats().byOperation.preflight).toBeGreaterThanOrEqual(1);
  });

  it('marks an account whose credentials are rejected needs_reauth and fails its job, without touching another account', async () => {
    const rejectedJob = await insertQueuedJob(sql, REJECTED);
    const otherJob = await insertQueuedJob(sql, BESIDE_REJECTED);
    await sendSyncCommand(app, rejectedJob, REJECTED);
    await sendSyncCommand(app, otherJob, BESIDE_REJECTED);

    const failed = await waitForJob(
      sql,
      rejectedJob,
      (j) => j.status === 'failed',
      'the rejected job to fail',
    );
    expect(failed.error).toMatch(/^authentication failed: /);
    expect(failed.finished_at).not.toBeNull();
    expect(failed.owner).toBeNull();
    const account = await sql.query(
      `SELECT status, status_reason FROM airbnb.accounts WHERE account_id = $1`,
      [REJECTED],
    );
    expect(account.rows[0].status).toBe('needs_reauth');
    const outbox = await sql.query(
      `SELECT topic, message_key, value FROM ops.outbox WHERE message_key = $1`,
      [`airbnb:${REJECTED}`],
    );
    expect(outbox.rows).toHaveLength(1);
    expect(outbox.rows[0].value).toMatchObject({ type: 'needs_reauth', accountId: REJECTED });

    const other = await waitForJob(
      sql,
      otherJob,
      (j) => j.fetch_completed_at !== null,
      'the other account to finish fetching',
    );
    const expected = expectedJobRequests(simulator, BESIDE_REJECTED, { scrapeDay: other.scrape_day! });
    expect(other).toMatchObject({
      status: 'running',
      planned: expected,
      fetched: expected,
      failed: 0,
      error: null,
    });
    const otherAccount = await sql.query(`SELECT status FROM airbnb.accounts WHERE account_id = $1`, [
      BESIDE_REJECTED,
    ]);
    expect(otherAccount.rows[0].status).toBe('active');
  });

  it('fails a job at once when its account needs re-authentication', async () => {
    const jobId = await insertQueuedJob(sql, REJECTED);
    const before = simulator.stats().requests;
    await sendSyncCommand(app, jobId, REJECTED);
    const job = await waitForJob(sql, jobId, (j) => j.status === 'failed', 'the job to fail');
    expect(job.error).toMatch(/needs re-authentication/);
    expect(simulator.stats().requests).toBe(before);
  });

  it('retries 429 (honouring Retry-After) and 5xx answers until the job completes with nothing failed', async () => {
    simulator.setFaults({
      rateLimit: { everyNth: 5, times: 2, retryAfterSeconds: 1 },
      serverErrors: { everyNth: 7, times: 3, status: 503 },
    });
    const jobId = await insertQueuedJob(sql, FLAKY);
    await sendSyncCommand(app, jobId, FLAKY);

    const job = await waitForJob(sql, jobId, (j) => j.fetch_completed_at !== null, 'fetch completion');
    const expected = expectedJobRequests(simulator, FLAKY, { scrapeDay: job.scrape_day! });
    expect(job).toMatchObject({ planned: expected, fetched: expected, failed: 0, error: null });
    const stats = simulator.stats();
    expect(stats.byFault).toMatchObject({ rateLimit: 2, serverError: 3 });
    // two Retry-After: 1 waits
    expect(job.fetch_completed_at!.getTime() - job.started_at!.getTime()).toBeGreaterThanOrEqual(2000);

    const metrics = await app
      .get<symbol, Registry>(METRICS_REGISTRY)
      .getSingleMetricAsString('fetcher_retries_total');
    const retries = [...metrics.matchAll(/^fetcher_retries_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, m) => sum + Number(m[1]),
      0,
    );
    expect(retries).toBe(5);
    const messages = await waitFor(() => (raw.forJob(jobId).length >= expected ? raw.forJob(jobId) : null), {
      what: 'raw envelopes',
    });
    expect(new Set(messages.map((m) => m.key)).size).toBe(expected);
  });

  it('serves health, readiness and fetcher metrics', async () => {
    await request(app.getHttpServer()).get('/health').expect(200);
    const ready = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(ready.body.checks).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' } });
    const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/fetcher_requests_total\{[^}]*operation="ChartQuery"[^}]*status="ok"/);
    expect(metrics.text).toContain('fetcher_request_duration_seconds');
    expect(metrics.text).toContain('fetcher_jobs_active');
  });
});
