import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Client } from 'pg';
import { SyncScheduler } from '../../apps/admin/src/scheduler/sync-scheduler.service';
import { waitFor } from '../harness';
import {
  driveCron,
  startSchedulerReplicas,
  whileAnotherSessionLeads,
  type SchedulerReplicas,
} from './scheduler-replicas';

/** Every queued-or-running job, as the scheduler left it. */
const JOBS_SQL = `SELECT source, account_id, mode, trigger, status FROM ops.sync_jobs ORDER BY source, account_id`;

const EXPECTED_JOBS = [
  { source: 'airbnb', account_id: '500000001', mode: 'backfill', trigger: 'schedule', status: 'queued' },
  { source: 'airbnb', account_id: '500000002', mode: 'incremental', trigger: 'schedule', status: 'queued' },
  { source: 'hostaway', account_id: '10001', mode: 'full', trigger: 'schedule', status: 'queued' },
  { source: 'hostaway', account_id: '10002', mode: 'full', trigger: 'schedule', status: 'queued' },
];

describe('Admin > sync scheduler', () => {
  let replicas: SchedulerReplicas;
  let sql: Client;
  let apps: NestExpressApplication[];
  const jobs = async () => (await sql.query(JOBS_SQL)).rows;
  const finishAllJobs = () =>
    sql.query(`UPDATE ops.sync_jobs SET status = 'succeeded', finished_at = now() WHERE finished_at IS NULL`);

  beforeAll(async () => {
    replicas = await startSchedulerReplicas();
    ({ sql, apps } = replicas);
    // accounts of both sources: schedulable ones, and one each inactive / needing re-auth / deleted
    await sql.query(
      `INSERT INTO airbnb.accounts (account_id, airbnb_cookie, x_client_version, user_agent, is_active, status, last_sync_at, deleted_at) VALUES
         ('500000001', 'v1:k:x:y:z', 'v', 'ua', true,  'active',       NULL,                      NULL),
         ('500000002', 'v1:k:x:y:z', 'v', 'ua', true,  'active',       now() - interval '1 day',  NULL),
         ('500000003', 'v1:k:x:y:z', 'v', 'ua', false, 'active',       NULL,                      NULL),
         ('500000004', 'v1:k:x:y:z', 'v', 'ua', true,  'needs_reauth', NULL,                      NULL),
         ('500000005', 'v1:k:x:y:z', 'v', 'ua', true,  'active',       NULL,                      now())`,
    );
    await sql.query(
      `INSERT INTO hostaway.accounts (account_id, client_secret, is_active, status, last_sync_at, deleted_at) VALUES
         (10001, 'v1:k:x:y:z', true,  'active',       NULL,                     NULL),
         (10002, 'v1:k:x:y:z', true,  'active',       now() - interval '1 day', NULL),
         (10003, 'v1:k:x:y:z', false, 'active',       NULL,                     NULL),
         (10004, 'v1:k:x:y:z', true,  'needs_reauth', NULL,                     NULL),
         (10005, 'v1:k:x:y:z', true,  'active',       NULL,                     now())`,
    );
  });
  afterAll(async () => replicas?.close());

  it('queues nothing while another session holds the scheduler lock', async () => {
    await whileAnotherSessionLeads(replicas.db.url, async () => {
      expect(await apps[0].get(SyncScheduler).tick()).toBeNull();
      expect(await jobs()).toEqual([]);
    });
  });

  it('both sources: exactly one job per schedulable account per tick, even when two replicas tick at once, none for unfinished ones', async () => {
    const results = await Promise.all(apps.map((app) => app.get(SyncScheduler).tick()));
    expect(await jobs()).toEqual(EXPECTED_JOBS);
    expect(results.reduce<number>((sum, n) => sum + (n ?? 0), 0)).toBe(4);

    // the next tick while those jobs are unfinished queues nothing new
    expect(await apps[0].get(SyncScheduler).tick()).toBe(0);
    const outbox = await sql.query(`SELECT count(*)::int AS n FROM ops.outbox WHERE topic = 'sync.commands'`);
    expect(outbox.rows[0].n).toBe(4);
  });

  it('the real cron wiring fires at SYNC_CRON on a fake clock, not before', async () => {
    await finishAllJobs();
    await sql.query(`DELETE FROM ops.sync_jobs`);
    // nothing at 04:59:59.5, the cron's tick at 05:00:00.5
    await driveCron(apps[1].get(SyncScheduler), '2026-12-07T04:59:58.000Z', jobs);
    await waitFor(async () => (await jobs()).length === 4 || null, {
      what: 'the cron tick queued every account',
    });
    expect(await jobs()).toEqual(EXPECTED_JOBS);
  });
});
