import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { SyncScheduler } from '../../apps/admin/src/scheduler/sync-scheduler.service';
import { createTestDatabase, randomTopicPrefix, type TestDatabase } from '../harness';
import { adminTestConfig, startAdmin } from './admin-app';

describe('Admin > sync scheduler', () => {
  let db: TestDatabase;
  let sql: Client;
  const apps: NestExpressApplication[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const config = adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: randomTopicPrefix(), SYNC_CRON: '0 5 * * *' });
    for (let i = 0; i < 2; i++) apps.push((await startAdmin(config)).app);
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await sql?.end();
    await db?.drop();
  });

  it('queues one job per active account even when two replicas tick at once, and none for running ones', async () => {
    await sql.query(
      `INSERT INTO airbnb.accounts (account_id, airbnb_cookie, x_client_version, user_agent, is_active, status, last_sync_at, deleted_at) VALUES
         ('500000001', 'v1:k:x:y:z', 'v', 'ua', true,  'active',       NULL,                      NULL),
         ('500000002', 'v1:k:x:y:z', 'v', 'ua', true,  'active',       now() - interval '1 day',  NULL),
         ('500000003', 'v1:k:x:y:z', 'v', 'ua', false, 'active',       NULL,                      NULL),
         ('500000004', 'v1:k:x:y:z', 'v', 'ua', true,  'needs_reauth', NULL,                      NULL),
         ('500000005', 'v1:k:x:y:z', 'v', 'ua', true,  'active',       NULL,                      now())`,
    );

    const results = await Promise.all(apps.map((app) => app.get(SyncScheduler).tick()));
    const { rows } = await sql.query(`SELECT account_id, mode, trigger, status FROM ops.sync_jobs ORDER BY account_id`);
    expect(rows).toEqual([
      { account_id: '500000001', mode: 'backfill', trigger: 'schedule', status: 'queued' },
      { account_id: '500000002', mode: 'incremental', trigger: 'schedule', status: 'queued' },
    ]);
    expect(results.reduce<number>((sum, n) => sum + (n ?? 0), 0)).toBe(2);

    // the next tick while those jobs are unfinished queues nothing new
    expect(await apps[0].get(SyncScheduler).tick()).toBe(0);
    const outbox = await sql.query(`SELECT count(*)::int AS n FROM ops.outbox WHERE topic = 'sync.commands'`);
    expect(outbox.rows[0].n).toBe(2);
  });
});
