import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { Gauge, type Registry } from 'prom-client';
import { PG_POOL } from '@staysync/db';
import { SOURCE_NAMES, SOURCES } from '@staysync/sources';
import { METRICS_REGISTRY } from '@staysync/observability';

/**
 * Gauges of the state in the database, read at scrape time (the Grafana dashboard and alert rules in
 * deploy/ use them): jobs of the last 24 h by status, accounts by status, each source's own gauges
 * (`SourcePlugin.stateGauges`, e.g. its webhook registrations by status), and the outbox backlog.
 */
@Injectable()
export class StateMetrics implements OnModuleInit {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  onModuleInit(): void {
    const pool = this.pool;
    new Gauge({
      name: 'staysync_sync_jobs',
      help: 'Sync jobs created in the last 24 hours, by source and status',
      labelNames: ['source', 'status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const { rows } = await pool.query<{ source: string; status: string; n: number }>(
          `SELECT source, status, count(*)::int AS n FROM ops.sync_jobs WHERE created_at > now() - interval '24 hours' GROUP BY source, status`,
        );
        for (const row of rows) this.set({ source: row.source, status: row.status }, row.n);
      },
    });
    new Gauge({
      name: 'staysync_accounts',
      help: 'Active (not deactivated, not deleted) accounts by source and status (active, needs_reauth, blocked, paused)',
      labelNames: ['source', 'status'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const { rows } = await pool.query<{ source: string; status: string; n: number }>(
          // source names are schema names (checkSources: lower-case letters, digits, _), safe in SQL text
          SOURCE_NAMES.map(
            (name) =>
              `SELECT '${name}' AS source, status, count(*)::int AS n FROM ${name}.accounts WHERE is_active AND deleted_at IS NULL GROUP BY status`,
          ).join('\n           UNION ALL\n           '),
        );
        for (const row of rows) this.set({ source: row.source, status: row.status }, row.n);
      },
    });
    for (const gauge of SOURCES.flatMap((source) => source.stateGauges ?? []))
      new Gauge({
        name: gauge.name,
        help: gauge.help,
        labelNames: gauge.labelNames,
        registers: [this.registry],
        async collect() {
          this.reset();
          const { rows } = await pool.query<Record<string, string | number>>(gauge.sql);
          for (const { n, ...labels } of rows) this.set(labels, Number(n));
        },
      });
    // both read the partial index ix_outbox_pending
    new Gauge({
      name: 'staysync_outbox_pending',
      help: 'Outbox rows not yet published to Kafka',
      registers: [this.registry],
      async collect() {
        const { rows } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ops.outbox WHERE published_at IS NULL`,
        );
        this.set(rows[0].n);
      },
    });
    new Gauge({
      name: 'staysync_outbox_oldest_pending_seconds',
      help: 'Age of the oldest outbox row not yet published (0 when none)',
      registers: [this.registry],
      async collect() {
        const { rows } = await pool.query<{ age: number }>(
          `SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age FROM ops.outbox WHERE published_at IS NULL`,
        );
        this.set(rows[0].age);
      },
    });
  }
}
