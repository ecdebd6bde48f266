import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CronJob } from 'cron';
import { PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import type { AdminConfig } from '@staysync/config';
import { AirbnbAccount, PG_POOL } from '@staysync/db';
import { isSchedulable, SCHEDULABLE_STATUSES } from '../accounts/airbnb-cool-down';
import { ADMIN_CONFIG } from '../admin-config';
import { SyncJobsService } from '../jobs/sync-jobs.service';

// session-level advisory lock: while one admin replica runs a tick, the others skip theirs
const SCHEDULER_LOCK_KEY = 0x5354_5343; // "STSC"

/**
 * Daily sync of every active account (SYNC_CRON, UTC). Only one replica schedules a given tick;
 * an account whose previous job is still unfinished keeps that job (no second one is queued).
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
    if (!this.config.schedulerEnabled) return;
    this.cron = CronJob.from({ cronTime: this.config.syncCron, timeZone: 'UTC', start: true, onTick: () => void this.tick().catch(() => undefined) }); // tick logs its failure; the next tick tries again
    this.logger.info({ cron: this.config.syncCron, next: this.cron.nextDate().toISO() }, 'sync scheduler started');
  }

  onApplicationShutdown(): void {
    this.cron?.stop();
  }

  /** Queues one sync per active account; returns how many jobs were queued (null when another replica holds the tick). */
  async tick(): Promise<number | null> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [SCHEDULER_LOCK_KEY]);
      if (!rows[0].locked) return null;
      try {
        return await this.queueActiveAccounts();
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

  private async queueActiveAccounts(): Promise<number> {
    const em = this.em.fork();
    const now = new Date();
    const candidates = await em.find(AirbnbAccount, { isActive: true, deletedAt: null, status: { $in: [...SCHEDULABLE_STATUSES] } }, { orderBy: { accountId: 'asc' } });
    // a blocked account is skipped until its cool-down ends
    const accounts = candidates.filter((account) => isSchedulable(account, now));
    let queued = 0;
    for (const account of accounts) {
      const { created } = await this.jobs.requestSync(
        { source: 'airbnb', accountId: account.accountId, mode: account.lastSyncAt ? 'incremental' : 'backfill', trigger: 'schedule' },
        em,
      );
      if (created) queued++;
    }
    this.logger.info({ accounts: accounts.length, queued }, 'scheduled syncs queued');
    return queued;
  }
}
