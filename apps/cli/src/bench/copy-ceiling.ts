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
  /** the raw payloads too (what the loader's raw store writes: one jsonb body per response), COPYed into a copy of airbnb.raw_responses */
  raw_responses: number;
  raw_bytes: number;
  raw_duration_ms: number;
  /** metric rows ÷ (metric rows' COPY + raw payloads' COPY): the ceiling for everything the loader writes */
  rows_per_s_incl_raw: number;
}

const RAW_COLUMNS = ['request_key', 'fetched_at', 'account_id', 'job_id', 'operation', 'resource_id', 'scrape_date', 'window_start', 'window_end', 'http_status', 'variables', 'body', 'envelope_version', 'parser_version', 'parsed_at'];

const SCHEMA = 'bench_copy';

/**
 * The same parsed rows, COPY … FROM STDIN (CSV) into empty copies of the loader tables (LIKE …
 * INCLUDING DEFAULTS: same columns, no unique constraints or indexes) in a scratch schema, in one
 * transaction; timed from BEGIN to COMMIT, CSV encoding included. The schema is dropped afterwards.
 */
export async function runCopyCeiling(pool: Pool, parsed: ParsedRows, envelopes: RawEnvelope[]): Promise<CopyCeilingResult> {
  const client = await pool.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const spec of parsed.specs) await client.query(`CREATE TABLE ${scratch(spec)} (LIKE ${spec.table} INCLUDING DEFAULTS)`);
    await client.query(`CREATE TABLE ${SCHEMA}.raw_responses (LIKE airbnb.raw_responses INCLUDING DEFAULTS)`);
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

    const rawRows = envelopes.map((e) => rawRow(e, parserVersion()));
    const rawStarted = performance.now();
    await client.query('BEGIN');
    const stream = client.query(copyFrom(`COPY ${SCHEMA}.raw_responses (${RAW_COLUMNS.map(quote).join(', ')}) FROM STDIN WITH (FORMAT csv)`));
    await pipeline(Readable.from(csvLines(rawRows, RAW_COLUMNS)), stream);
    await client.query('COMMIT');
    const rawMs = performance.now() - rawStarted;
    return {
      rows: parsed.total,
      duration_ms: round(durationMs),
      rows_per_s: round((parsed.total / durationMs) * 1000, 1),
      format: 'csv',
      raw_responses: envelopes.length,
      raw_bytes: rawRows.reduce((sum, r) => sum + String(r.body ?? '').length, 0),
      raw_duration_ms: round(rawMs),
      rows_per_s_incl_raw: round((parsed.total / (durationMs + rawMs)) * 1000, 1),
    };
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

function parserVersion(): number {
  return currentParser(sourceByName('airbnb')!).version;
}

/** The row the loader's raw store inserts for an envelope (body and variables as JSON text). */
function rawRow(e: RawEnvelope, version: number): Row {
  return {
    request_key: e.requestKey,
    fetched_at: e.fetchedAt,
    account_id: e.accountId,
    job_id: e.jobId,
    operation: e.operation,
    resource_id: e.resourceId,
    scrape_date: e.scrapeDate,
    window_start: e.window?.start ?? null,
    window_end: e.window?.end ?? null,
    http_status: e.httpStatus,
    variables: JSON.stringify(e.variables ?? {}),
    body: e.body === undefined ? null : JSON.stringify(e.body),
    envelope_version: 1,
    parser_version: version,
    parsed_at: new Date().toISOString(),
  };
}
