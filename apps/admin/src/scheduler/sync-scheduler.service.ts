import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { CronJob } from 'cron';
import { PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import type { AdminConfig } from '@staysync/config';
import type { AccountStatus, SourcePlugin } from '@staysync/core';
import { PG_POOL } from '@staysync/db';
import { SOURCES } from '@staysync/sources';
import { ADMIN_CONFIG } from '../admin-config';
import { SyncJobsService } from '../jobs/sync-jobs.service';
import { normalizeCron } from './cron-expression';
import { isSchedulable, SCHEDULABLE_STATUSES } from './schedulable';

// session-level advisory lock: while one admin replica runs a tick, the others skip theirs
export const SCHEDULER_LOCK_KEY = 0x5354_5343; // "STSC"

/** What the scheduler reads of an account row of any source. */
interface ScheduledAccount {
  accountId: string;
  status: AccountStatus;
  lastSyncAt: Date | null;
  blockedUntil: Date | null;
}

/** How often each replica re-reads the accounts' `sync_cron` values (a change through this replica applies at once). */
export const ACCOUNT_CRONS_REFRESH_MS = 60_000;

/**
 * Daily sync of every active account of every source plug-in (SYNC_CRON, UTC); each source says what
 * its scheduled run is (`SourcePlugin.scheduledSyncMode`). An account with its own `sync_cron` runs on
 * that instead: one cron per distinct expression, whose tick queues exactly the accounts on it.
 * Only one replica schedules a given tick (an advisory lock per expression); an account whose
 * previous job is still unfinished keeps that job (no second one is queued), and a blocked account
 * waits for its cool-down.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private cron?: CronJob;
  /** per-account expressions other than SYNC_CRON → their cron */
  private readonly accountCrons = new Map<string, CronJob>();
  private refreshTimer?: NodeJS.Timeout;
  private readonly globalCron: string;

  constructor(
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly em: EntityManager,
    private readonly jobs: SyncJobsService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('SyncScheduler');
    this.globalCron = normalizeCron(config.syncCron);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.schedulerEnabled) await this.start();
  }

  /**
   * Starts SYNC_CRON's cron at once and the accounts' own crons once read (also used by tests that
   * drive them with a fake clock); the accounts' expressions are re-read every minute.
   */
  async start(): Promise<void> {
    this.stop();
    this.cron = this.cronFor(this.globalCron);
    this.refreshTimer = setInterval(() => this.refreshSoon(), ACCOUNT_CRONS_REFRESH_MS);
    this.refreshTimer.unref();
    this.logger.info({ cron: this.globalCron, next: this.cron.nextDate().toISO() }, 'sync scheduler started');
    // a database not reachable yet must not stop admin: the next refresh (a minute later) tries again
    await this.refreshAccountCrons().catch((error: unknown) =>
      this.logger.error({ err: error }, "could not read the accounts' sync_cron"),
    );
  }

  onApplicationShutdown(): void {
    this.stop();
  }

  /** the expressions with a running cron: SYNC_CRON first, then the accounts' own */
  runningCrons(): string[] {
    return this.cron ? [this.globalCron, ...[...this.accountCrons.keys()].sort()] : [];
  }

  /** Re-reads the accounts' `sync_cron` soon (after an API change); failures are logged. */
  refreshSoon(): void {
    if (!this.cron) return;
    this.refreshAccountCrons().catch((error: unknown) =>
      this.logger.error({ err: error }, "could not read the accounts' sync_cron"),
    );
  }

  /** Starts a cron for every per-account expression in use and stops those no longer used. */
  async refreshAccountCrons(): Promise<void> {
    const wanted = new Set<string>();
    for (const source of SOURCES) {
      const { rows } = await this.pool.query<{ sync_cron: string }>(
        `SELECT DISTINCT sync_cron FROM ${source.name}.accounts WHERE sync_cron IS NOT NULL AND deleted_at IS NULL`,
      );
      for (const { sync_cron } of rows) if (sync_cron !== this.globalCron) wanted.add(sync_cron);
    }
    if (!this.cron) return; // stopped meanwhile
    for (const [expression, job] of this.accountCrons) {
      if (wanted.has(expression)) continue;
      void job.stop();
      this.accountCrons.delete(expression);
    }
    for (const expression of wanted) {
      if (this.accountCrons.has(expression)) continue;
      try {
        this.accountCrons.set(expression, this.cronFor(expression));
        this.logger.info({ cron: expression }, 'per-account sync schedule started');
      } catch (error) {
        // the API validates sync_cron; a bad value written by hand is skipped, not fatal
        this.logger.error(
          { cron: expression, err: error },
          'invalid sync_cron; its accounts are not scheduled',
        );
      }
    }
  }

  /**
   * Queues one sync per schedulable account of every source on `cron` (default SYNC_CRON: the accounts
   * without their own); returns how many jobs were queued (null when another replica holds the tick).
   */
  async tick(cron: string = this.globalCron): Promise<number | null> {
    const expression = normalizeCron(cron);
    const client = await this.pool.connect();
    // SYNC_CRON keeps the one-key lock; each other expression has its own (two-key form)
    const [lock, unlock, params] =
      expression === this.globalCron
        ? ['SELECT pg_try_advisory_lock($1) AS locked', 'SELECT pg_advisory_unlock($1)', [SCHEDULER_LOCK_KEY]]
        : [
            'SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked',
            'SELECT pg_advisory_unlock($1, hashtext($2))',
            [SCHEDULER_LOCK_KEY, expression],
          ];
    try {
      const { rows } = await client.query<{ locked: boolean }>(lock, params);
      if (!rows[0].locked) return null;
      try {
        let queued = 0;
        for (const source of SOURCES) queued += await this.queueSource(source, expression);
        return queued;
      } finally {
        await client.query(unlock, params);
      }
    } catch (error) {
      this.logger.error({ err: error, cron: expression }, 'scheduled sync failed');
      throw error;
    } finally {
      client.release();
    }
  }

  private stop(): void {
    void this.cron?.stop();
    this.cron = undefined;
    for (const job of this.accountCrons.values()) void job.stop();
    this.accountCrons.clear();
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = undefined;
  }

  private cronFor(expression: string): CronJob {
    // tick logs its failure; the next tick tries again
    return CronJob.from({
      cronTime: expression,
      timeZone: 'UTC',
      start: true,
      onTick: () => void this.tick(expression).catch(() => undefined),
    });
  }

  private async queueSource(source: SourcePlugin, cron: string): Promise<number> {
    const em = this.em.fork();
    const now = new Date();
    const candidates = await this.candidates(source.name, cron);
    const accounts = candidates.filter((account) => isSchedulable(account, now));
    let queued = 0;
    for (const account of accounts) {
      const { created } = await this.jobs.requestSync(
        {
          source: source.name,
          accountId: account.accountId,
          mode: source.scheduledSyncMode(account),
          trigger: 'schedule',
        },
        em,
      );
      if (created) queued++;
    }
    this.logger.info(
      { source: source.name, cron, accounts: accounts.length, queued },
      'scheduled syncs queued',
    );
    return queued;
  }

  /** Active, not deleted accounts on `cron` in a schedulable status, from `<source>.accounts` (every source has these columns). */
  private async candidates(source: string, cron: string): Promise<ScheduledAccount[]> {
    const { rows } = await this.pool.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(a) AS row FROM ${source}.accounts a
        WHERE a.is_active AND a.deleted_at IS NULL AND a.status = ANY($1) AND COALESCE(a.sync_cron, $2) = $3 ORDER BY a.account_id`,
      [SCHEDULABLE_STATUSES, this.globalCron, cron],
    );
    return rows.map(({ row }) => ({
      accountId: String(row.account_id),
      status: row.status as AccountStatus,
      lastSyncAt: typeof row.last_sync_at === 'string' ? new Date(row.last_sync_at) : null,
      blockedUntil: typeof row.blocked_until === 'string' ? new Date(row.blocked_until) : null,
    }));
  }
}
