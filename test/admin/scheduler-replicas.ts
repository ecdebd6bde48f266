import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import { SCHEDULER_LOCK_KEY, SyncScheduler } from '../../apps/admin/src/scheduler/sync-scheduler.service';
import { createTestDatabase, randomTopicPrefix, type TestDatabase } from '../harness';
import { adminTestConfig, startAdmin } from './admin-app';

/** Two admin replicas on one fresh database, for the scheduler's one-leader-per-tick tests. */
export interface SchedulerReplicas {
  db: TestDatabase;
  sql: Client;
  apps: NestExpressApplication[];
  /** restores real timers, closes the replicas and the client, drops the database */
  close(): Promise<void>;
}

/**
 * SYNC_CRON is '0 5 * * *' (05:00 every day). The replicas' schedulers are not started
 * (SCHEDULER_ENABLED=false): a test ticks them or starts one.
 */
export async function startSchedulerReplicas(): Promise<SchedulerReplicas> {
  const db = await createTestDatabase();
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const config = adminTestConfig({
    DATABASE_URL: db.url,
    KAFKA_TOPIC_PREFIX: randomTopicPrefix(),
    SYNC_CRON: '0 5 * * *',
  });
  const apps: NestExpressApplication[] = [];
  for (let i = 0; i < 2; i++) apps.push((await startAdmin(config)).app);
  return {
    db,
    sql,
    apps,
    async close() {
      jest.useRealTimers();
      for (const app of apps) await app.close();
      await sql.end();
      await db.drop();
    },
  };
}

/**
 * Starts `scheduler` on a fake clock at `at`, then moves the clock 1.5 s and 1 s: a tick due 2 s after
 * `at` fires in the second step only. `queuedJobs` must still be empty after the first step.
 */
export async function driveCron(
  scheduler: SyncScheduler,
  at: string,
  queuedJobs: () => Promise<unknown[]>,
): Promise<void> {
  jest.useFakeTimers({
    now: new Date(at),
    doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'hrtime', 'performance'],
  });
  try {
    await scheduler.start();
    jest.advanceTimersByTime(1_500);
    expect(await queuedJobs()).toEqual([]);
    jest.advanceTimersByTime(1_000);
  } finally {
    scheduler.onApplicationShutdown();
    jest.useRealTimers();
  }
}

/**
 * Runs `fn` while another session holds the scheduler's advisory lock: the lock of `cron`'s ticks, or
 * without `cron` the lock of SYNC_CRON's ticks.
 */
export async function whileAnotherSessionLeads(
  databaseUrl: string,
  fn: () => Promise<void>,
  cron?: string,
): Promise<void> {
  const holder = new Client({ connectionString: databaseUrl });
  await holder.connect();
  try {
    if (cron === undefined) await holder.query('SELECT pg_advisory_lock($1)', [SCHEDULER_LOCK_KEY]);
    else await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [SCHEDULER_LOCK_KEY, cron]);
    await fn();
  } finally {
    await holder.end();
  }
}
