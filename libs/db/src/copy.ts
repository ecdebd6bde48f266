import type { ClientBase } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row } from '@staysync/core';
import { qualifiedName, quoteIdent } from './identifiers';


/** Rows are sent in chunks of about this many characters (one stream write each). */
const CHUNK_CHARS = 1 << 20;

/**
 * `COPY <table> (<columns>) FROM STDIN` in PostgreSQL's text format: the bulk path, with no SQL to
 * parse, no parameter arrays to build or escape and no per-row round trip. `jsonb` values are objects
 * (stringified here, so a string is a JSON string); `null`/`undefined` is NULL.
 */
export async function copyRows(client: ClientBase, table: string, columns: readonly string[], types: ReadonlyMap<string, string>, rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const stream = client.query(copyFrom(`COPY ${qualifiedName(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const jsonColumns = columns.map((c) => types.get(c) === 'jsonb' || types.get(c) === 'json');
  let chunk = '';
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) chunk += '\t';
      chunk += copyText(row[columns[i]], jsonColumns[i]);
    }
    chunk += '\n';
    if (chunk.length >= CHUNK_CHARS) {
      // the server applies backpressure through the socket; wait for it rather than buffer everything
      if (!stream.write(chunk)) await drainOrFail(stream, done);
      chunk = '';
    }
  }
  stream.end(chunk);
  await done;
}

function drainOrFail(stream: NodeJS.WritableStream, done: Promise<void>): Promise<void> {
  return Promise.race([new Promise<void>((resolve) => stream.once('drain', resolve)), done]);
}

/** One value in COPY text format: `\N` for NULL; backslash, newline, carriage return and tab escaped. */
export function copyText(value: unknown, json = false): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (json) text = JSON.stringify(value);
  else if (typeof value === 'string') text = value;
  else if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => ESCAPES[c]) : text;
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPED = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
