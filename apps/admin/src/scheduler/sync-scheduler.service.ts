import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CronJob } from 'cron';
import { PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import type { AdminConfig } from '@staysync/config';
import type { SourcePlugin } from '@staysync/core';
import { PG_POOL, type AccountStatus } from '@staysync/db';
import { SOURCES } from '@staysync/pipeline';
import { isSchedulable, SCHEDULABLE_STATUSES } from '../accounts/airbnb-cool-down';
import { ADMIN_CONFIG } from '../admin-config';
import { SyncJobsService } from '../jobs/sync-jobs.service';

// session-level advisory lock: while one admin replica runs a tick, the others skip theirs
export const SCHEDULER_LOCK_KEY = 0x5354_5343; // "STSC"

/** What the scheduler reads of an account row of any source. */
interface ScheduledAccount {
  accountId: string;
  status: AccountStatus;
  lastSyncAt: Date | null;
  blockedUntil: Date | null;
}

/**
 * Daily sync of every active account of every source plug-in (SYNC_CRON, UTC); each source says what
 * its scheduled run is (`SourcePlugin.scheduledSyncMode`). Only one replica schedules a given tick;
 * an account whose previous job is still unfinished keeps that job (no second one is queued), and a
 * blocked account waits for its cool-down.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private cron?: CronJob;

  constructor(
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly em: EntityManager,
    private readonly jobs: SyncJobsService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('SyncScheduler');
  }

  onApplicationBootstrap(): void {
    if (this.config.schedulerEnabled) this.start();
  }

  /** Starts the cron (also used by tests that drive it with a fake clock). */
  start(): void {
    void this.cron?.stop();
    this.cron = CronJob.from({ cronTime: this.config.syncCron, timeZone: 'UTC', start: true, onTick: () => void this.tick().catch(() => undefined) }); // tick logs its failure; the next tick tries again
    this.logger.info({ cron: this.config.syncCron, next: this.cron.nextDate().toISO() }, 'sync scheduler started');
  }

  onApplicationShutdown(): void {
    void this.cron?.stop();
  }

  /** Queues one sync per schedulable account of every source; returns how many jobs were queued (null when another replica holds the tick). */
  async tick(): Promise<number | null> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SCHEDULER_LOCK_KEY]);
      if (!rows[0].locked) return null;
      try {
        let queued = 0;
        for (const source of SOURCES) queued += await this.queueSource(source);
        return queued;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [SCHEDULER_LOCK_KEY]);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'scheduled sync failed');
      throw error;
    } finally {
      client.release();
    }
  }

  private async queueSource(source: SourcePlugin): Promise<number> {
    const em = this.em.fork();
    const now = new Date();
    const candidates = await this.candidates(source.name);
    const accounts = candidates.filter((account) => isSchedulable(account, now));
    let queued = 0;
    for (const account of accounts) {
      const { created } = await this.jobs.requestSync({ source: source.name, accountId: account.accountId, mode: source.scheduledSyncMode(account), trigger: 'schedule' }, em);
      if (created) queued++;
    }
    this.logger.info({ source: source.name, accounts: accounts.length, queued }, 'scheduled syncs queued');
    return queued;
  }

  /** Active, not deleted accounts in a schedulable status, from `<source>.accounts` (every source has these columns). */
  private async candidates(source: string): Promise<ScheduledAccount[]> {
    const { rows } = await this.pool.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(a) AS row FROM ${source}.accounts a
        WHERE a.is_active AND a.deleted_at IS NULL AND a.status = ANY($1) ORDER BY a.account_id`,
      [SCHEDULABLE_STATUSES],
    );
    return rows.map(({ row }) => ({
      accountId: String(row.account_id),
      status: row.status as AccountStatus,
      lastSyncAt: typeof row.last_sync_at === 'string' ? new Date(row.last_sync_at) : null,
      blockedUntil: typeof row.blocked_until === 'string' ? new Date(row.blocked_until) : null,
    }));
  }
}
