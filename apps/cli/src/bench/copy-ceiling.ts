import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { currentParser, type RawEnvelope, type Row, type TableSpec } from '@staysync/core';
import { sourceByName } from '@staysync/sources';
import { round } from './fetch-phase';

/** Every row the current parser makes of the envelopes, per qualified table (rows sharing a key are kept). */
export interface ParsedRows {
  specs: TableSpec[];
  byTable: Map<string, Row[]>;
  total: number;
}

export function parseEnvelopes(envelopes: RawEnvelope[]): ParsedRows {
  const plugin = sourceByName('airbnb');
  if (!plugin) throw new Error('no airbnb source plug-in');
  const parser = currentParser(plugin);
  const byTable = new Map<string, Row[]>(plugin.tables.map((t) => [t.table, []]));
  let total = 0;
  for (const envelope of envelopes) {
    for (const [table, rows] of Object.entries(parser.parse(envelope).rows)) {
      byTable.get(table)!.push(...rows);
      total += rows.length;
    }
  }
  return { specs: [...plugin.tables].sort((a, b) => (a.order ?? 0) - (b.order ?? 0)), byTable, total };
}

/** The tables the Airbnb loader writes, parents first: its metric tables, then the raw store. */
export const LOADED_TABLES = [
  'airbnb.listings',
  'airbnb.chart_query',
  'airbnb.list_of_metrics',
  'airbnb.chart_summary',
  'airbnb.raw_responses',
] as const;
export const RAW_STORE = 'airbnb.raw_responses';

export interface CopyTiming {
  rows: number;
  bytes: number;
  duration_ms: number;
  rows_per_s: number;
}

export interface CopyCeilingResult extends CopyTiming {
  format: 'text';
  /** `postgresql`, or `timescaledb <version>` when the extension is installed in the bench database */
  storage: string;
  /** what each table took */
  tables: Record<string, CopyTiming>;
  /** the metric tables alone, without the raw store (its COPYs' share of the same transaction) */
  metric_tables: CopyTiming;
}

const SCHEMA = 'bench_copy';
/** a ceiling is the best the database does: the fastest of a few attempts (single runs vary by ±30 % here) */
const ATTEMPTS = 3;

/**
 * The COPY ceiling: how fast PostgreSQL takes the loader's end state when it arrives by COPY alone.
 *
 * Every row the loader left in its tables (metric tables and raw store) is read back with
 * COPY (SELECT …) TO STDOUT (not timed): a plain `COPY <hypertable> TO STDOUT` returns only the
 * parent's rows, none of its chunks'. Then, timed from BEGIN to COMMIT, the same bytes go back in with
 * COPY … FROM STDIN into empty copies of the tables (LIKE … INCLUDING ALL: same columns, types,
 * defaults, constraints and indexes; hypertables again, same time column and chunk interval, where
 * the loader's table is one) in a scratch schema, dropped afterwards; the fastest of ATTEMPTS. No
 * encoding, no parsing, no conflict handling: the database's floor for writing exactly these rows.
 */
export async function runCopyCeiling(pool: Pool): Promise<CopyCeilingResult> {
  const client = await pool.connect();
  try {
    const storage = await storageOf(client);
    const dumps = new Map<string, Buffer>();
    for (const table of LOADED_TABLES) dumps.set(table, await copyOut(client, table));
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const table of LOADED_TABLES) {
      await client.query(`CREATE TABLE ${scratch(table)} (LIKE ${table} INCLUDING ALL)`);
      if (storage !== 'postgresql') await likeHypertable(client, table);
    }

    let best: { durationMs: number; tables: Record<string, CopyTiming> } | undefined;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) await client.query(`TRUNCATE ${LOADED_TABLES.map(scratch).join(', ')}`);
      const run = await copyIn(client, dumps);
      if (!best || run.durationMs < best.durationMs) best = run;
    }
    const { durationMs, tables } = best!;

    const all = Object.values(tables);
    const metrics = Object.entries(tables)
      .filter(([t]) => `airbnb.${t}` !== RAW_STORE)
      .map(([, v]) => v);
    const sum = (list: CopyTiming[], field: 'rows' | 'bytes' | 'duration_ms') =>
      list.reduce((n, t) => n + t[field], 0);
    return {
      ...timing(sum(all, 'rows'), sum(all, 'bytes'), durationMs),
      format: 'text',
      storage,
      tables,
      metric_tables: timing(sum(metrics, 'rows'), sum(metrics, 'bytes'), sum(metrics, 'duration_ms')),
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    client.release();
  }
}

/** One timed attempt: every table's bytes in one transaction. */
async function copyIn(
  client: PoolClient,
  dumps: Map<string, Buffer>,
): Promise<{ durationMs: number; tables: Record<string, CopyTiming> }> {
  const tables: Record<string, CopyTiming> = {};
  const started = performance.now();
  await client.query('BEGIN');
  for (const table of LOADED_TABLES) {
    const bytes = dumps.get(table)!;
    const t0 = performance.now();
    const stream = client.query(copyFrom(`COPY ${scratch(table)} FROM STDIN`));
    await new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
      stream.end(bytes);
    });
    tables[table.replace('airbnb.', '')] = timing(lineCount(bytes), bytes.length, performance.now() - t0);
  }
  await client.query('COMMIT');
  return { durationMs: performance.now() - started, tables };
}

async function copyOut(client: PoolClient, table: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    client.query(copyTo(`COPY (SELECT * FROM ${table}) TO STDOUT`)),
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}

/** `postgresql`, or `timescaledb <version>` when the extension is installed in this database. */
export async function storageOf(client: Pick<PoolClient, 'query'>): Promise<string> {
  const { rows } = await client.query<{ extversion: string }>(
    `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`,
  );
  return rows.length > 0 ? `timescaledb ${rows[0].extversion}` : 'postgresql';
}

/** The scratch copy of a hypertable becomes one too: same time column, same chunk interval. */
async function likeHypertable(client: PoolClient, table: string): Promise<void> {
  const [schema, name] = table.split('.');
  const { rows } = await client.query<{ column_name: string; time_interval: string | null }>(
    `SELECT column_name, time_interval::text FROM timescaledb_information.dimensions
      WHERE hypertable_schema = $1 AND hypertable_name = $2 AND dimension_number = 1`,
    [schema, name],
  );
  if (rows.length === 0) return;
  const { column_name: column, time_interval: interval } = rows[0];
  await client.query(
    `SELECT create_hypertable($1::regclass, $2::name, chunk_time_interval => $3::interval)`,
    [scratch(table), column, interval ?? '7 days'],
  );
}

/**
 * A ratio against the ceiling means something only when both wrote the same rows: refuses (throws,
 * naming both counts) when the ceiling read back a different number of rows than the loader left.
 */
export function ratioToCeiling(
  loader: { rows: number; rows_per_s: number },
  ceiling: { rows: number; rows_per_s: number },
  name = 'loader_to_copy_ratio',
): number {
  if (loader.rows !== ceiling.rows) {
    throw new Error(
      `bench: refusing to report ${name}: the COPY ceiling read back ${ceiling.rows} rows but the loader left ${loader.rows} rows in its tables`,
    );
  }
  if (!(ceiling.rows_per_s > 0))
    throw new Error(
      `bench: refusing to report ${name}: the COPY ceiling wrote ${ceiling.rows} rows at ${ceiling.rows_per_s} rows/s`,
    );
  return round(loader.rows_per_s / ceiling.rows_per_s, 3);
}

function timing(rows: number, bytes: number, durationMs: number): CopyTiming {
  return {
    rows,
    bytes,
    duration_ms: round(durationMs, 1),
    rows_per_s: durationMs > 0 ? round((rows / durationMs) * 1000, 1) : 0,
  };
}

/** COPY text format: one line per row (newlines inside values are escaped as \n). */
function lineCount(bytes: Buffer): number {
  let lines = 0;
  for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
  return lines;
}

function scratch(table: string): string {
  return `${SCHEMA}.${table.split('.').pop()!}`;
}
