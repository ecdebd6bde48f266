import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CronJob } from 'cron';
import { PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import type { AdminConfig } from '@staysync/config';
import { PG_POOL } from '@staysync/db';
import { ADMIN_CONFIG } from '../admin-config';
import { runRetention, type DataSetOutcome } from './retention';

// session-level advisory lock: one admin replica runs a retention pass, the others skip it
const RETENTION_LOCK_KEY = 0x5354_5254; // "STRT"

/** The retention pass on RETENTION_CRON (UTC), run by one admin replica at a time. */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private cron?: CronJob;

  constructor(
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('Retention');
  }

  onApplicationBootstrap(): void {
    if (!this.config.retention.enabled) return;
    this.cron = CronJob.from({
      cronTime: this.config.retention.cron,
      timeZone: 'UTC',
      start: true,
      onTick: () => void this.tick().catch(() => undefined),
    });
    this.logger.info(
      { cron: this.config.retention.cron, days: this.config.retention.days },
      'retention scheduled',
    );
  }

  onApplicationShutdown(): void {
    void this.cron?.stop();
  }

  /** One pass; null when another replica holds the lock. */
  async tick(options: { dryRun?: boolean } = {}): Promise<DataSetOutcome[] | null> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        RETENTION_LOCK_KEY,
      ]);
      if (!rows[0].locked) return null;
      try {
        const outcomes = await runRetention(this.pool, this.config.retention, {
          dryRun: options.dryRun ?? false,
        });
        this.logger.info(
          { outcomes: outcomes.filter((o) => o.rows > 0 || (o.chunks ?? 0) > 0) },
          'retention pass done',
        );
        return outcomes;
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [RETENTION_LOCK_KEY]);
      }
    } catch (error) {
      this.logger.error({ err: error }, 'retention pass failed');
      throw error;
    } finally {
      client.release();
    }
  }
}
