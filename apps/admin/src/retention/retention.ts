import type { Pool } from 'pg';
import type { RetentionConfig } from '@staysync/config';
import type { SourcePlugin } from '@staysync/core';
import { SOURCES } from '@staysync/sources';

/** One data set under retention: a table, the column that ages it, and which setting says how long. */
export interface DataSet {
  table: string;
  /** a key of RetentionConfig.days */
  setting: string;
  timeColumn: string;
  /** only rows that may go at all (e.g. finished jobs) */
  where?: string;
}

/** What the core keeps in ops: jobs and replays once finished, the published outbox, dead letters. */
const CORE_DATA_SETS: readonly DataSet[] = [
  {
    table: 'ops.sync_jobs',
    setting: 'jobs',
    timeColumn: 'finished_at',
    where: `status IN ('succeeded', 'failed', 'cancelled')`,
  },
  {
    table: 'ops.replays',
    setting: 'jobs',
    timeColumn: 'finished_at',
    where: `status IN ('succeeded', 'failed')`,
  },
  { table: 'ops.outbox', setting: 'outbox', timeColumn: 'published_at' },
  { table: 'ops.dead_lettered_responses', setting: 'deadLetters', timeColumn: 'created_at' },
];

/**
 * Every data set under retention: each source's raw store (`raw`), then each source's declared tables
 * (`SourcePlugin.retention`), then the core's.
 */
export function dataSets(sources: readonly SourcePlugin[]): DataSet[] {
  return [
    ...sources.flatMap(({ name }) =>
      ['raw_responses', 'response_parses'].map((table) => ({
        table: `${name}.${table}`,
        setting: 'raw',
        timeColumn: 'fetched_at',
      })),
    ),
    ...sources.flatMap((source) => source.retention ?? []),
    ...CORE_DATA_SETS,
  ];
}

export const DATA_SETS: readonly DataSet[] = dataSets(SOURCES);

export interface DataSetOutcome {
  table: string;
  setting: string;
  /** 0 = kept forever */
  days: number;
  /** `kept`; `batches`: bounded DELETEs (plain tables); `policy`: TimescaleDB's add_retention_policy drops whole chunks */
  mode: 'kept' | 'batches' | 'policy';
  /** rows older than the cutoff (deleted, or in a dry run: that would be) */
  rows: number;
  /** hypertables: chunks entirely older than the cutoff (what the policy drops) */
  chunks: number | null;
}

/**
 * One retention pass. Plain tables lose their old rows in DELETEs of at most `batchRows` rows each
 * (short transactions, no long locks); TimescaleDB hypertables get (or lose) an `add_retention_policy`
 * matching the setting, which drops whole chunks on Timescale's own schedule. A dry run counts what
 * would go and changes nothing.
 */
export async function runRetention(
  pool: Pool,
  config: RetentionConfig,
  options: { dryRun: boolean },
): Promise<DataSetOutcome[]> {
  const hypertables = await hypertablesOf(pool);
  const outcomes: DataSetOutcome[] = [];
  for (const set of DATA_SETS) {
    const days = (config.days as Readonly<Record<string, number>>)[set.setting];
    if (days === undefined)
      throw new Error(`${set.table} is retained under "${set.setting}": no such setting`);
    const hypertable = hypertables.has(set.table);
    const mode = days === 0 ? 'kept' : hypertable ? 'policy' : 'batches';
    const outcome: DataSetOutcome = {
      table: set.table,
      setting: set.setting,
      days,
      mode,
      rows: 0,
      chunks: hypertable ? 0 : null,
    };
    if (hypertable && !options.dryRun) await applyRetentionPolicy(pool, set.table, days);
    if (days > 0) {
      outcome.rows =
        options.dryRun || hypertable
          ? await countOlder(pool, set, days)
          : await deleteOlder(pool, set, days, config.batchRows);
      if (hypertable) outcome.chunks = await countOldChunks(pool, set.table, days);
    }
    outcomes.push(outcome);
  }
  return outcomes;
}

const olderThan = (set: DataSet) =>
  `${set.timeColumn} < now() - make_interval(days => $1)${set.where ? ` AND ${set.where}` : ''}`;

async function countOlder(pool: Pool, set: DataSet, days: number): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${set.table} WHERE ${olderThan(set)}`,
    [days],
  );
  return rows[0].n;
}

async function deleteOlder(pool: Pool, set: DataSet, days: number, batchRows: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `DELETE FROM ${set.table} WHERE ctid IN (SELECT ctid FROM ${set.table} WHERE ${olderThan(set)} LIMIT $2)`,
      [days, batchRows],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batchRows) return deleted;
  }
}

async function hypertablesOf(pool: Pool): Promise<Set<string>> {
  const { rows: extension } = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
  if (extension.length === 0) return new Set();
  const { rows } = await pool.query<{ name: string }>(
    `SELECT hypertable_schema || '.' || hypertable_name AS name FROM timescaledb_information.hypertables`,
  );
  return new Set(rows.map((r) => r.name));
}

async function countOldChunks(pool: Pool, table: string, days: number): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM show_chunks($1::regclass, older_than => make_interval(days => $2))`,
    [table, days],
  );
  return rows[0].n;
}

/**
 * The hypertable's retention policy set to `days` (removed for 0). Replacing a policy drops nothing
 * by itself, and a compression policy on the same table is left as it is.
 */
export async function applyRetentionPolicy(pool: Pool, table: string, days: number): Promise<void> {
  const { rows } = await pool.query<{ drop_after: string | null }>(
    `SELECT config->>'drop_after' AS drop_after FROM timescaledb_information.jobs
      WHERE proc_name = 'policy_retention' AND hypertable_schema || '.' || hypertable_name = $1`,
    [table],
  );
  const wanted = days === 0 ? null : `${days} days`;
  if ((rows[0]?.drop_after ?? null) === wanted) return;
  await pool.query(`SELECT remove_retention_policy($1::regclass, if_exists => true)`, [table]);
  if (days > 0)
    await pool.query(`SELECT add_retention_policy($1::regclass, drop_after => make_interval(days => $2))`, [
      table,
      days,
    ]);
}
