import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Client } from 'pg';
import request from 'supertest';
import { SyncScheduler } from '../../apps/admin/src/scheduler/sync-scheduler.service';
import { waitFor } from '../harness';
import { TEST_API_KEY } from './admin-app';
import {
  driveCron,
  startSchedulerReplicas,
  whileAnotherSessionLeads,
  type SchedulerReplicas,
} from './scheduler-replicas';

const AUTH = { 'X-API-Key': TEST_API_KEY };
const JOBS_SQL = `SELECT source, account_id, mode, trigger FROM ops.sync_jobs WHERE finished_at IS NULL ORDER BY source, account_id`;
const AIRBNB_ID = '700000001';
const cookie = `_aat=aat-secret; _user_attributes=${encodeURIComponent(JSON.stringify({ id_str: AIRBNB_ID, id: Number(AIRBNB_ID) }))}`;
const OWN_CRON = '30 6 * * *';

/**
 * Issue 15 item 1: an account's own `sync_cron` (validated, set by POST/PATCH of both sources, shown
 * by GET) puts it on that schedule instead of SYNC_CRON; one leader per tick, one job per account.
 */
describe('Admin > per-account sync_cron', () => {
  let replicas: SchedulerReplicas;
  let sql: Client;
  let apps: NestExpressApplication[];
  const api = () => request(apps[0].getHttpServer());
  const jobs = async () => (await sql.query(JOBS_SQL)).rows;
  const clearJobs = () => sql.query(`DELETE FROM ops.sync_jobs`);

  beforeAll(async () => {
    replicas = await startSchedulerReplicas();
    ({ sql, apps } = replicas);
  });
  afterAll(async () => replicas?.close());

  it('is set by POST and PATCH of both sources, normalized, validated, shown by GET, and cleared with null', async () => {
    const airbnb = await api()
      .post('/api/v1/airbnb/accounts')
      .set(AUTH)
      .send({ cookie, x_client_version: 'v1', user_agent: 'ua', sync_cron: ' 30  6 * * * ' })
      .expect(201);
    expect(airbnb.body.sync_cron).toBe(OWN_CRON);
    const own = await api()
      .post('/api/v1/hostaway/accounts')
      .set(AUTH)
      .send({ account_id: 10001, client_secret: 's1', sync_cron: OWN_CRON })
      .expect(201);
    expect(own.body.sync_cron).toBe(OWN_CRON);
    // SYNC_CRON spelled as an override is the global schedule
    await api()
      .post('/api/v1/hostaway/accounts')
      .set(AUTH)
      .send({ account_id: 10003, client_secret: 's3', sync_cron: '0 5 * * *' })
      .expect(201);
    const plain = await api()
      .post('/api/v1/hostaway/accounts')
      .set(AUTH)
      .send({ account_id: 10002, client_secret: 's2' })
      .expect(201);
    expect(plain.body.sync_cron).toBeNull();

    for (const bad of ['not a cron', '61 * * * *', '* * * *', '0 0 0 0 0 0 0', '0 0 31 2 *', '*/5 * * * *']) {
      const refused = await api()
        .patch('/api/v1/hostaway/accounts/10002')
        .set(AUTH)
        .send({ sync_cron: bad })
        .expect(400);
      expect(JSON.stringify(refused.body)).toContain(
        'sync_cron must be a cron expression with 5 or 6 fields (e.g. \\"30 6 * * *\\") that fires at most once an hour',
      );
      await api()
        .post('/api/v1/airbnb/accounts')
        .set(AUTH)
        .send({ cookie, x_client_version: 'v1', user_agent: 'ua', sync_cron: bad })
        .expect(400);
    }
    expect(
      (
        await api()
          .patch(`/api/v1/airbnb/accounts/${AIRBNB_ID}`)
          .set(AUTH)
          .send({ sync_cron: null })
          .expect(200)
      ).body.sync_cron,
    ).toBeNull();
    expect(
      (
        await api()
          .patch(`/api/v1/airbnb/accounts/${AIRBNB_ID}`)
          .set(AUTH)
          .send({ sync_cron: `0 ${OWN_CRON}` })
          .expect(200)
      ).body.sync_cron,
    ).toBe(`0 ${OWN_CRON}`);
    expect(
      (
        await api()
          .patch(`/api/v1/airbnb/accounts/${AIRBNB_ID}`)
          .set(AUTH)
          .send({ sync_cron: OWN_CRON })
          .expect(200)
      ).body.sync_cron,
    ).toBe(OWN_CRON);
    expect(
      (await api().get(`/api/v1/airbnb/accounts/${AIRBNB_ID}`).set(AUTH).expect(200)).body.sync_cron,
    ).toBe(OWN_CRON);
    expect((await api().get('/api/v1/hostaway/accounts/10001').set(AUTH).expect(200)).body.sync_cron).toBe(
      OWN_CRON,
    );
    expect(
      (await api().get('/api/v1/hostaway/accounts/10002').set(AUTH).expect(200)).body.sync_cron,
    ).toBeNull();
    const { rows } = await sql.query(
      `SELECT account_id::text, sync_cron FROM hostaway.accounts ORDER BY account_id`,
    );
    expect(rows).toEqual([
      { account_id: '10001', sync_cron: OWN_CRON },
      { account_id: '10002', sync_cron: null },
      { account_id: '10003', sync_cron: '0 5 * * *' },
    ]);
  });

  it('the real cron wiring on a fake clock: SYNC_CRON queues the accounts without their own, the own cron the others', async () => {
    await clearJobs(); // the accounts' first syncs
    const scheduler = apps[1].get(SyncScheduler);

    await driveCron(scheduler, '2026-12-07T04:59:58.000Z', jobs);
    await waitFor(async () => (await jobs()).length === 2 || null, { what: 'the SYNC_CRON tick' });
    expect(await jobs()).toEqual([
      { source: 'hostaway', account_id: '10002', mode: 'full', trigger: 'schedule' },
      { source: 'hostaway', account_id: '10003', mode: 'full', trigger: 'schedule' },
    ]);

    await clearJobs();
    await driveCron(scheduler, '2026-12-07T06:29:58.000Z', jobs);
    await waitFor(async () => (await jobs()).length === 2 || null, { what: 'the 30 6 * * * tick' });
    expect(await jobs()).toEqual([
      { source: 'airbnb', account_id: AIRBNB_ID, mode: 'backfill', trigger: 'schedule' },
      { source: 'hostaway', account_id: '10001', mode: 'full', trigger: 'schedule' },
    ]);
  });

  it('one leader per tick of an own cron: two replicas ticking at once queue one job per account; its lock is its own', async () => {
    await clearJobs();
    const results = await Promise.all(apps.map((app) => app.get(SyncScheduler).tick(OWN_CRON)));
    expect(results.reduce<number>((sum, n) => sum + (n ?? 0), 0)).toBe(2);
    expect((await jobs()).map((j) => j.account_id)).toEqual([AIRBNB_ID, '10001']);

    await clearJobs();
    await whileAnotherSessionLeads(
      replicas.db.url,
      async () => {
        expect(await apps[0].get(SyncScheduler).tick(OWN_CRON)).toBeNull();
        // SYNC_CRON's tick is not held up by another expression's leader
        expect(await apps[0].get(SyncScheduler).tick()).toBe(2);
      },
      OWN_CRON,
    );
  });

  it('a running scheduler starts and stops crons as accounts set and clear sync_cron', async () => {
    const scheduler = apps[0].get(SyncScheduler);
    await scheduler.start();
    try {
      expect(scheduler.runningCrons()).toEqual(['0 5 * * *', OWN_CRON]);
      await api()
        .patch('/api/v1/hostaway/accounts/10002')
        .set(AUTH)
        .send({ sync_cron: '15 7 * * 1-5' })
        .expect(200);
      await waitFor(() => scheduler.runningCrons().includes('15 7 * * 1-5') || null, {
        what: 'the new cron',
      });
      expect(scheduler.runningCrons()).toEqual(['0 5 * * *', '15 7 * * 1-5', OWN_CRON]);
      await api().patch('/api/v1/hostaway/accounts/10002').set(AUTH).send({ sync_cron: null }).expect(200);
      await waitFor(() => !scheduler.runningCrons().includes('15 7 * * 1-5') || null, {
        what: 'the cron stopped',
      });
      expect(scheduler.runningCrons()).toEqual(['0 5 * * *', OWN_CRON]);
    } finally {
      scheduler.onApplicationShutdown();
    }
  });
});
