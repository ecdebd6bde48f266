import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { currentParser, type RawEnvelope, type Row, type TableSpec } from '@staysync/core';
import { sourceByName } from '@staysync/pipeline';
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

export interface CopyCeilingResult {
  rows: number;
  duration_ms: number;
  rows_per_s: number;
  format: 'csv';
}

const SCHEMA = 'bench_copy';

/**
 * The same parsed rows, COPY … FROM STDIN (CSV) into empty copies of the loader tables (LIKE …
 * INCLUDING DEFAULTS: same columns, no unique constraints or indexes) in a scratch schema, in one
 * transaction; timed from BEGIN to COMMIT, CSV encoding included. The schema is dropped afterwards.
 */
export async function runCopyCeiling(pool: Pool, parsed: ParsedRows): Promise<CopyCeilingResult> {
  const client = await pool.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const spec of parsed.specs) await client.query(`CREATE TABLE ${scratch(spec)} (LIKE ${spec.table} INCLUDING DEFAULTS)`);
    const started = performance.now();
    await client.query('BEGIN');
    for (const spec of parsed.specs) {
      const rows = parsed.byTable.get(spec.table) ?? [];
      if (rows.length === 0) continue;
      const columns = spec.columns.map((c) => c.name);
      const stream = client.query(copyFrom(`COPY ${scratch(spec)} (${columns.map(quote).join(', ')}) FROM STDIN WITH (FORMAT csv)`));
      await pipeline(Readable.from(csvLines(rows, columns)), stream);
    }
    await client.query('COMMIT');
    const durationMs = performance.now() - started;
    return { rows: parsed.total, duration_ms: round(durationMs), rows_per_s: round((parsed.total / durationMs) * 1000, 1), format: 'csv' };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    client.release();
  }
}

function scratch(spec: TableSpec): string {
  return `${SCHEMA}.${quote(spec.table.split('.').pop()!)}`;
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** CSV in chunks of 500 rows: unquoted empty = NULL, every value quoted (so '' stays an empty string). */
function* csvLines(rows: Row[], columns: string[]): Generator<string> {
  for (let i = 0; i < rows.length; i += 500) {
    let chunk = '';
    for (const row of rows.slice(i, i + 500)) chunk += `${columns.map((c) => csvValue(row[c])).join(',')}\n`;
    yield chunk;
  }
}

function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value instanceof Date ? value.toISOString() : String(value);
  return `"${text.replace(/"/g, '""')}"`;
}
