import { Transform } from 'node:stream';
import { types as pgTypes, type CustomTypesConfig } from 'pg';

/**
 * Property secrets and credentials are never returned in clear, whatever a payload holds (the fetcher
 * seals Hostaway's known secret fields before they reach a table; this covers the rest and older rows).
 */
export const SENSITIVE_KEY = /password|secret|door(Security)?Code|lockbox|wifiUsername/i;
export const MASK = '***';

/** A copy of `value` with every property whose name looks sensitive replaced by `***`, at any depth. */
export function maskSensitive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSensitive);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value))
    out[key] = SENSITIVE_KEY.test(key) ? (inner === null ? null : MASK) : maskSensitive(inner);
  return out;
}

const parseTimestamp = pgTypes.getTypeParser(pgTypes.builtins.TIMESTAMPTZ) as (text: string) => Date;
const READ_PARSERS: Record<number, (text: string) => unknown> = {
  // a day stays a day: no Date at local midnight
  [pgTypes.builtins.DATE]: (text) => text,
  [pgTypes.builtins.TIMESTAMPTZ]: (text) => parseTimestamp(text).toISOString(),
  // counts and ids: numbers while exact, strings beyond 2^53
  [pgTypes.builtins.INT8]: (text) => (Number.isSafeInteger(Number(text)) ? Number(text) : text),
};

/** Type parsing of the read API: dates as `YYYY-MM-DD`, instants as ISO-8601 UTC, bigints as numbers. */
export const READ_TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    READ_PARSERS[oid] ?? pgTypes.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

/** RFC 4180 field: quoted when it holds a separator, quote or line break; objects as JSON. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'object'
      ? JSON.stringify(value)
      : (value as string | number | boolean | bigint).toString();
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: unknown[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export type ExportFormat = 'csv' | 'ndjson';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** bytes of encoded rows gathered before they are passed on: one socket write per chunk, not per row */
const CHUNK_CHARS = 64 * 1024;

/**
 * Object rows in, masked CSV lines (after a header) or NDJSON lines out, in chunks of about 64 KiB;
 * a stream stage, so the response's backpressure reaches the database cursor.
 */
export function rowEncoder(format: ExportFormat, columns: string[]): Transform {
  let pending = format === 'csv' ? csvLine(columns) : '';
  return new Transform({
    writableObjectMode: true,
    transform(row: Record<string, unknown>, _encoding, done) {
      const masked = maskSensitive(row) as Record<string, unknown>;
      pending += format === 'csv' ? csvLine(columns.map((c) => masked[c])) : `${JSON.stringify(masked)}\n`;
      if (pending.length < CHUNK_CHARS) return done();
      const chunk = pending;
      pending = '';
      done(null, chunk);
    },
    flush(done) {
      // an empty result is still a CSV with its header
      done(null, pending || undefined);
    },
  });
}

/** Opaque page cursor: the last row's key values. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values.map((v) => String(v)))).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): string[] | null {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === length && values.every((v) => typeof v === 'string'))
      return values;
  } catch {
    // fall through: not one of ours
  }
  return null;
}
