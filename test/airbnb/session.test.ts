import type { NestExpressApplication } from '@nestjs/platform-express';
import type { FetcherConfig } from '@staysync/config';
import { CredentialCipher } from '@staysync/crypto';
import { makeAirbnbCookie, type AirbnbSimulator } from '@staysync/simulators';
import type { Client } from 'pg';
import request from 'supertest';
import { SyncScheduler } from '../../apps/admin/src/scheduler/sync-scheduler.service';
import { adminTestConfig, startAdmin, TEST_API_KEY } from '../admin/admin-app';
import {
  insertQueuedJob,
  sendSyncCommand,
  startAirbnbFetcherSuite,
  startFetcher,
  waitForJob,
  type AirbnbFetcherSuite,
  type JobRow,
} from '../fetcher/fetcher-app';
import { createTestTopics, randomTopicPrefix } from '../harness';

type Job = JobRow & { error_code: string | null };

/**
 * Issue 13 end to end, on real PostgreSQL and Kafka against the Airbnb simulator's fault switches:
 * auth-cookie rotation survived only because rotated cookies are saved back, an Akamai-style block
 * (account blocked, skipped by the scheduler until its cool-down ends), a stale persisted-query hash
 * failing at once, and the admin credential check (201 vs 422).
 */
describe('Airbnb against upstream-like faults', () => {
  const ROTATING = '700000001';
  const BLOCKED = '700000002';
  const STALE = '700000003';
  const NEW_LIVE = '700000004';
  const NO_LISTINGS = '700000005';
  const UNKNOWN = '799999999';
  const prefix = randomTopicPrefix();
  let suite: AirbnbFetcherSuite;
  let sql: Client;
  let simulator: AirbnbSimulator;
  let simNow = Date.now();
  let config: FetcherConfig;
  let fetcher: NestExpressApplication;
  let admin: NestExpressApplication;
  const api = () => request(admin.getHttpServer());
  const auth = { 'X-API-Key': TEST_API_KEY };

  const storedCookie = async (accountId: string) => {
    const { rows } = await sql.query(`SELECT airbnb_cookie FROM airbnb.accounts WHERE account_id = $1`, [
      accountId,
    ]);
    return new CredentialCipher(config.credentialKeys).decrypt(rows[0].airbnb_cookie);
  };
  const aajOf = (cookie: string) => /(?:^|; )_aaj=([^;]*)/.exec(cookie)?.[1];
  const runJob = async (accountId: string, until: (job: Job) => boolean, what: string): Promise<Job> => {
    // no loader runs here: a job whose fetch completed stays running, so settle it as the loader would
    await sql.query(
      `UPDATE ops.sync_jobs SET status = 'succeeded', finished_at = now() WHERE account_id = $1 AND status = 'running' AND fetch_completed_at IS NOT NULL`,
      [accountId],
    );
    const jobId = await insertQueuedJob(sql, accountId);
    await sendSyncCommand(fetcher, jobId, accountId);
    return (await waitForJob(sql, jobId, (job) => until(job as Job), what)) as Job;
  };

  beforeAll(async () => {
    suite = await startAirbnbFetcherSuite({
      topicPrefix: prefix,
      simulator: {
        accounts: [ROTATING, BLOCKED, STALE, NEW_LIVE]
          .map((accountId) => ({ accountId, listingCount: 2, cookie: makeAirbnbCookie(accountId) }))
          .concat([{ accountId: NO_LISTINGS, listingCount: 0, cookie: makeAirbnbCookie(NO_LISTINGS) }]),
        clock: () => simNow,
      },
      // the others are added through the admin API
      storedAccounts: [ROTATING, BLOCKED, STALE],
      env: { AIRBNB_BLOCK_COOLDOWN_MS: '3600000' },
    });
    ({ sql, simulator, config } = suite);
    await createTestTopics(prefix);
    ({ app: fetcher } = await startFetcher(config, { instanceId: 'airbnb-session-test' }));
    ({ app: admin } = await startAdmin(
      adminTestConfig({
        DATABASE_URL: suite.db.url,
        KAFKA_TOPIC_PREFIX: prefix,
        CREDENTIALS_KEYS: `k1:${config.credentialKeys[0].key.toString('base64')}`,
        AIRBNB_BASE_URL: simulator.url,
        AIRBNB_CREDENTIAL_CHECK: 'true',
      }),
    ));
  });

  afterAll(async () => {
    await admin?.close();
    await fetcher?.close();
    await suite?.close();
  });

  it('survives auth-cookie rotation within a job through the jar, and a later job only because the rotated cookie was saved back', async () => {
    // the replaced _aaj dies at once: every call after a rotation must carry the new one
    simulator.setFaults({ cookieRotation: { everyNth: 3, oldValidForMs: 0 } });
    const original = makeAirbnbCookie(ROTATING);

    const first = await runJob(
      ROTATING,
      (j) => j.fetch_completed_at !== null || j.status === 'failed',
      'the first job',
    );
    expect(first).toMatchObject({ status: 'running', failed: 0, error: null, error_code: null });
    expect(simulator.stats().byFault.cookieRotation).toBeGreaterThanOrEqual(5);
    const saved = await storedCookie(ROTATING);
    expect(aajOf(saved)).not.toBe(aajOf(original));
    // only auth cookies are stored: no Akamai cookie from the job's jar
    expect(saved).not.toMatch(/ak_bmsc|bm_sv|bm_sz/);

    simNow += 60_000;
    const second = await runJob(
      ROTATING,
      (j) => j.fetch_completed_at !== null || j.status === 'failed',
      'the second job',
    );
    expect(second).toMatchObject({ failed: 0, error: null });
    const account = await sql.query(`SELECT status FROM airbnb.accounts WHERE account_id = $1`, [ROTATING]);
    expect(account.rows[0].status).toBe('active');

    // control: the cookie as first entered is dead by now, so without the save-back the second job would have failed
    await sql.query(`UPDATE airbnb.accounts SET airbnb_cookie = $2 WHERE account_id = $1`, [
      ROTATING,
      new CredentialCipher(config.credentialKeys).encrypt(original),
    ]);
    const third = await runJob(
      ROTATING,
      (j) => j.status === 'failed',
      'the job with the original cookie to fail',
    );
    expect(third.error_code).toBe('needs_reauth');
    expect(third.error).toMatch(/login_redirect/);
    simulator.setFaults({});
  });

  it('an Akamai-style block marks the account blocked with a cool-down (no credential change asked), and fails the job at once', async () => {
    simulator.setFaults({ edgeBlock: { afterRequests: 5 } });
    simulator.reset();
    const job = await runJob(BLOCKED, (j) => j.status === 'failed', 'the blocked job to fail');
    expect(job.error_code).toBe('blocked');
    expect(job.error).toMatch(/^blocked: /);
    // 5 API requests allowed by the preflight's edge cookie, the 6th blocked and not retried
    const stats = simulator.stats();
    expect(stats.byFault.edgeBlock).toBe(1);
    expect(stats.byStatus['403']).toBe(1);
    const { rows } = await sql.query(
      `SELECT status, blocked_until, blocked_until - now() AS left FROM airbnb.accounts WHERE account_id = $1`,
      [BLOCKED],
    );
    expect(rows[0].status).toBe('blocked');
    expect(rows[0].blocked_until.getTime()).toBeGreaterThan(Date.now() + 3500_000);
    expect(rows[0].blocked_until.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
    simulator.setFaults({});
  });

  it('a persisted-query hash no longer served fails the job at once, naming the variable to update', async () => {
    simulator.setFaults({ staleHashes: ['ChartQuery'] });
    simulator.reset();
    const job = await runJob(
      STALE,
      (j) => j.fetch_completed_at !== null || j.status === 'failed',
      'the stale-hash job',
    );
    expect(job.error_code).toBe('stale_persisted_query');
    expect(job.error).toContain(
      'persisted query ChartQuery hash aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5 no longer served; update AIRBNB_CHART_QUERY_HASH',
    );
    // the preflight (2 pages), the listings call, then one ChartQuery: no retry, no further request
    expect(simulator.stats().byOperation).toEqual({ preflight: 2, ListingsSectionQuery: 1, ChartQuery: 1 });
    simulator.setFaults({});
  });

  it('checks credentials on create: 201 for a live session, 422 naming the dead signal, ?validate=false skips the check', async () => {
    const body = (id: string) => ({
      cookie: makeAirbnbCookie(id),
      x_client_version: 'v1',
      user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/141.0.0.0 Safari/537.36',
    });
    await api().post('/api/v1/airbnb/accounts').set(auth).send(body(NEW_LIVE)).expect(201);

    const dead = await api().post('/api/v1/airbnb/accounts').set(auth).send(body(UNKNOWN)).expect(422);
    expect(dead.body.detail).toMatch(/^the Airbnb session is dead \(login_redirect\)/);
    expect(dead.body.errors).toEqual([{ field: 'cookie', message: 'preflight signal login_redirect' }]);
    await api().get(`/api/v1/airbnb/accounts/${UNKNOWN}`).set(auth).expect(404);

    const empty = await api().post('/api/v1/airbnb/accounts').set(auth).send(body(NO_LISTINGS)).expect(422);
    expect(empty.body.detail).toMatch(/\(no_listings\)/);

    // the same dead cookie is stored when the check is skipped (a check would have answered 422)
    await api().post('/api/v1/airbnb/accounts?validate=false').set(auth).send(body(UNKNOWN)).expect(201);

    const dead2 = await api()
      .patch(`/api/v1/airbnb/accounts/${NEW_LIVE}`)
      .set(auth)
      .send({ cookie: `${makeAirbnbCookie(NEW_LIVE).replace(/_aat=[^;]*/, '_aat=stale')}` })
      .expect(422);
    expect(dead2.body.detail).toMatch(/login_redirect/);
  });

  it('re-checks a stored account: dead → needs_reauth, live → active again; a blocked check changes nothing', async () => {
    const dead = await api().post(`/api/v1/airbnb/accounts/${UNKNOWN}/validate`).set(auth).expect(200);
    expect(dead.body).toMatchObject({
      preflight: { state: 'dead', signal: 'login_redirect' },
      account: { status: 'needs_reauth' },
    });

    await sql.query(`UPDATE airbnb.accounts SET status = 'needs_reauth' WHERE account_id = $1`, [NEW_LIVE]);
    const live = await api().post(`/api/v1/airbnb/accounts/${NEW_LIVE}/validate`).set(auth).expect(200);
    expect(live.body).toMatchObject({
      preflight: { state: 'live', signal: null },
      account: { status: 'active' },
    });

    simulator.setFaults({ edgeBlock: { afterRequests: 0, challengePreflight: true } });
    const blocked = await api().post(`/api/v1/airbnb/accounts/${NEW_LIVE}/validate`).set(auth).expect(200);
    expect(blocked.body).toMatchObject({ preflight: { state: 'blocked' }, account: { status: 'active' } });
    // storing new credentials while Airbnb blocks the check: 503, nothing stored
    const refused = await api()
      .patch(`/api/v1/airbnb/accounts/${NEW_LIVE}`)
      .set(auth)
      .send({ x_client_version: 'v2' })
      .expect(503);
    expect(refused.body.detail).toMatch(/^Airbnb blocked the credential check/);
    simulator.setFaults({});
  });

  it('the scheduler skips a blocked account until its cool-down ends', async () => {
    const scheduled = async () =>
      (
        await sql.query(
          `SELECT count(*)::int AS n FROM ops.sync_jobs WHERE account_id = $1 AND trigger = 'schedule'`,
          [BLOCKED],
        )
      ).rows[0].n;
    await admin.get(SyncScheduler).tick();
    expect(await scheduled()).toBe(0);
    await sql.query(
      `UPDATE airbnb.accounts SET blocked_until = now() - interval '1 second' WHERE account_id = $1`,
      [BLOCKED],
    );
    await admin.get(SyncScheduler).tick();
    expect(await scheduled()).toBe(1);
  });
});
