import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from '@staysync/core';
import { qualifiedName, quoteIdent } from './identifiers';

/** Rows are sent in chunks of about this many bytes (one stream write each). */
const CHUNK_BYTES = 1 << 20;
const TAB = 0x09;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BACKSLASH = 0x5c;

/**
 * A JSON value already serialized as UTF-8 (e.g. the text a producer sent): written to its json/jsonb
 * column as these bytes, escaped for COPY, instead of stringifying a parsed value again.
 */
export class JsonText {
  constructor(readonly bytes: Buffer) {}
}

/**
 * `COPY <table> (<columns>) FROM STDIN` in PostgreSQL's text format: the bulk path, with no SQL to
 * parse, no parameter arrays to build or escape and no per-row round trip. `jsonb` values are objects
 * (stringified here, so a string is a JSON string); `null`/`undefined` is NULL.
 *
 * Each value is encoded straight into a chunk buffer: concatenating megabytes of text first and then
 * encoding it cost about three times as much.
 */
export async function copyRows(
  client: ClientBase,
  table: string,
  columns: readonly string[],
  types: ReadonlyMap<string, string>,
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const stream = client.query(
    copyFrom(`COPY ${qualifiedName(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`),
  );
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const jsonColumns = columns.map((c) => isJsonType(types.get(c)));
  const fields = new Array<string | JsonText>(columns.length);
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  const flush = async (): Promise<void> => {
    const full = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    used = 0;
    // the server applies backpressure through the socket; wait for it rather than buffer everything
    if (!stream.write(full)) await drainOrFail(stream, done);
  };
  for (const row of rows) {
    // at most 3 UTF-8 bytes per UTF-16 code unit, plus a separator per value
    let rowBytes = columns.length;
    for (let i = 0; i < columns.length; i++) {
      const value = row[columns[i]];
      // serialized JSON: at most two bytes per byte (a backslash doubled)
      if (value instanceof JsonText) {
        fields[i] = value;
        rowBytes += value.bytes.length * 2;
        continue;
      }
      const text = copyText(value, jsonColumns[i]);
      fields[i] = text;
      rowBytes += text.length * 3;
    }
    if (used + rowBytes > chunk.length) {
      if (used > 0) await flush();
      if (rowBytes > chunk.length) chunk = Buffer.allocUnsafe(rowBytes);
    }
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) chunk[used++] = TAB;
      const field = fields[i];
      used += typeof field === 'string' ? chunk.write(field, used) : writeEscaped(field.bytes, chunk, used);
    }
    chunk[used++] = NEWLINE;
  }
  if (used > 0) await flush();
  stream.end();
  await done;
}

function drainOrFail(stream: NodeJS.WritableStream, done: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((resolve) => stream.once('drain', resolve)), done]);
}

/**
 * Copies UTF-8 bytes into `target` at `at` in COPY text format; returns how many bytes it wrote.
 * Compact JSON has backslashes only (in its string escapes), so those are found by native search;
 * bytes with a raw newline, carriage return or tab (whitespace of pretty-printed JSON) go byte by byte.
 */
function writeEscaped(bytes: Buffer, target: Buffer, at: number): number {
  const start = at;
  if (bytes.includes(NEWLINE) || bytes.includes(CARRIAGE_RETURN) || bytes.includes(TAB)) {
    for (const byte of bytes) {
      const letter = ESCAPE_LETTERS[byte];
      if (letter === 0) target[at++] = byte;
      else {
        target[at++] = BACKSLASH;
        target[at++] = letter;
      }
    }
    return at - start;
  }
  let from = 0;
  for (;;) {
    const backslash = bytes.indexOf(BACKSLASH, from);
    const end = backslash < 0 ? bytes.length : backslash;
    at += bytes.copy(target, at, from, end);
    if (backslash < 0) return at - start;
    target[at++] = BACKSLASH;
    target[at++] = BACKSLASH;
    from = backslash + 1;
  }
}

/** byte → the letter after the backslash that escapes it in COPY text format (0: written as it is) */
const ESCAPE_LETTERS = new Uint8Array(256);
ESCAPE_LETTERS[BACKSLASH] = BACKSLASH;
ESCAPE_LETTERS[NEWLINE] = 0x6e; // n
ESCAPE_LETTERS[CARRIAGE_RETURN] = 0x72; // r
ESCAPE_LETTERS[TAB] = 0x74; // t

/** One value in COPY text format: `\N` for NULL; backslash, newline, carriage return and tab escaped. */
export function copyText(value: unknown, json = false): string {
  const text = valueText(value, json);
  if (text === null) return '\\N';
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => ESCAPES[c]) : text;
}

/** A json/jsonb column: its values are stringified, so a string value becomes a JSON string. */
export function isJsonType(type: string | undefined): boolean {
  return type === 'jsonb' || type === 'json';
}

/**
 * A value as the text PostgreSQL's input function of its column reads (`null` for NULL): what COPY
 * sends, unescaped, and what a `$n::text[]` parameter carries. `jsonb` values are stringified.
 */
export function valueText(value: unknown, json = false): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof JsonText) return value.bytes.toString('utf8');
  if (json) return JSON.stringify(value);
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return (value as number | boolean | bigint).toString();
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
