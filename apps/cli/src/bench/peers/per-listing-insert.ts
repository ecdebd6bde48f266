import type { Pool, PoolClient } from 'pg';
import type { Row, TableSpec } from '@staysync/core';
import { metricTableRows } from '../context';
import { cpuSpent, sampleCpu, type CpuMs } from '../cpu';
import type { ParsedRows } from '../copy-ceiling';
import { round } from '../fetch-phase';

export interface PerListingInsertResult {
  listings: number;
  statements: number;
  /** rows in the metric tables afterwards (the seed stores no raw payloads) */
  rows: number;
  duration_ms: number;
  rows_per_s: number;
  cpu_ms: CpuMs;
}

/** node-postgres (the wire protocol) takes at most 65,535 parameters per statement */
const MAX_PARAMETERS = 65_535;

/**
 * Peer 2, the seed service's way of loading: for each listing, one transaction with one multi-row
 * `INSERT … ON CONFLICT DO UPDATE` per table of that listing's parsed rows, through node-postgres
 * (bound parameters; no COPY, no staging table); no raw store. Rows sharing a conflict key within a
 * listing are merged first (one statement may not update a row twice), and the update keeps stored
 * values the incoming row lacks (COALESCE), `extra` merged, like the loader's merge-present upsert.
 * Timed from the first BEGIN to the last COMMIT, on empty metric tables.
 */
export async function runPerListingInsert(pool: Pool, parsed: ParsedRows): Promise<PerListingInsertResult> {
  const client = await pool.connect();
  try {
    const cpuAtStart = sampleCpu();
    const started = performance.now();
    const { listings, statements } = await insertPerListing(client, parsed);
    const durationMs = performance.now() - started;
    const cpu = cpuSpent(cpuAtStart, sampleCpu());
    const rows = await metricTableRows(pool);
    return {
      listings,
      statements,
      rows,
      duration_ms: round(durationMs),
      rows_per_s: round((rows / durationMs) * 1000, 1),
      cpu_ms: cpu,
    };
  } finally {
    client.release();
  }
}

/** Per listing one transaction with one multi-row upsert per table; returns how many of each it took. */
export async function insertPerListing(
  client: PoolClient,
  parsed: ParsedRows,
): Promise<{ listings: number; statements: number }> {
  const byListing = groupByListing(parsed);
  let statements = 0;
  try {
    for (const tables of byListing.values()) {
      await client.query('BEGIN');
      for (const spec of parsed.specs) {
        const rows = tables.get(spec.table);
        if (!rows?.length) continue;
        for (const statement of insertStatements(spec, mergeByKey(spec, rows))) {
          await client.query(statement.text, statement.values);
          statements++;
        }
      }
      await client.query('COMMIT');
    }
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return { listings: byListing.size, statements };
}

/** listing (account and Airbnb listing id) → table → its rows, in the parser's order */
function groupByListing(parsed: ParsedRows): Map<string, Map<string, Row[]>> {
  const byListing = new Map<string, Map<string, Row[]>>();
  for (const [table, rows] of parsed.byTable) {
    for (const row of rows) {
      const listing = `${String(row.account_id)}\u0000${String(row.airbnb_listing_id)}`;
      let tables = byListing.get(listing);
      if (!tables) byListing.set(listing, (tables = new Map<string, Row[]>()));
      let list = tables.get(table);
      if (!list) tables.set(table, (list = []));
      list.push(row);
    }
  }
  return byListing;
}

/** Rows sharing a conflict key become one: later rows' present columns win, `extra` objects merged. */
export function mergeByKey(spec: TableSpec, rows: Row[]): Row[] {
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const key = JSON.stringify(spec.conflictKey.map((c) => row[c]));
    const before = merged.get(key);
    if (!before) {
      merged.set(key, { ...row });
      continue;
    }
    for (const [column, value] of Object.entries(row)) {
      if (value === undefined) continue;
      before[column] =
        column === 'extra' && isObject(before.extra) && isObject(value)
          ? { ...before.extra, ...value }
          : value;
    }
  }
  return [...merged.values()];
}

/** One multi-row INSERT … ON CONFLICT DO UPDATE for the rows (more when they exceed the parameter limit). */
export function insertStatements(spec: TableSpec, rows: Row[]): Array<{ text: string; values: unknown[] }> {
  const columns = spec.columns.filter((c) => rows.some((row) => row[c.name] !== undefined));
  const updates = columns
    .filter((c) => !spec.conflictKey.includes(c.name))
    .map((c) =>
      c.name === 'extra' && c.type === 'jsonb'
        ? `extra = COALESCE(t.extra, '{}'::jsonb) || COALESCE(EXCLUDED.extra, '{}'::jsonb)`
        : `${c.name} = COALESCE(EXCLUDED.${c.name}, t.${c.name})`,
    );
  const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
  const statements: Array<{ text: string; values: unknown[] }> = [];
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values: unknown[] = [];
    const tuples = chunk.map(
      (row) => `(${columns.map((c) => `$${values.push(value(row[c.name], c.type))}::${c.type}`).join(', ')})`,
    );
    statements.push({
      text:
        `INSERT INTO ${spec.table} AS t (${columns.map((c) => c.name).join(', ')}) VALUES ${tuples.join(', ')} ` +
        `ON CONFLICT (${spec.conflictKey.join(', ')}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
      values,
    });
  }
  return statements;
}

function value(v: unknown, type: string): unknown {
  if (v === undefined || v === null) return null;
  return type === 'jsonb' ? JSON.stringify(v) : v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
