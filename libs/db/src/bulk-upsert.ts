import type { ClientBase } from 'pg';
import type { Row, TableSpec } from '@staysync/core';
import { copyRows, isJsonType, valueText } from './copy';
import { qualifiedName, quoteIdent } from './identifiers';
import { stagingTable } from './staging';
import { inClientTransaction } from './transaction';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  /** rows whose conflict key existed but nothing changed (only `if-changed` tables can tell) */
  unchanged: number;
}

export interface UpsertResult extends UpsertCounts {
  /** with `returnStored`: each inserted or updated row as stored afterwards (the spec's columns, JSON types), once per key */
  stored?: Row[];
}

/**
 * Set-based upsert of many rows, per column set: COPY into a session-local staging table, then
 *
 *   INSERT INTO t (c1, c2, …) SELECT c1, c2, … FROM staging ORDER BY key…
 *   ON CONFLICT (key…) DO UPDATE SET c = EXCLUDED.c …            -- merge-present
 *   [WHERE t.payload IS DISTINCT FROM EXCLUDED.payload           -- if-changed
 *      AND t.observed_at <= EXCLUDED.observed_at]                 -- with a versionColumn
 *
 * COPY is PostgreSQL's cheapest way in for many rows (no parameter arrays to build, escape and unnest).
 * A column set of at most PARAMETER_ROWS rows instead goes in one statement, each column a `text[]`
 * parameter cast to its type (`FROM (SELECT c1::type1, … FROM unnest($1::text[], …)) AS staging`): the
 * same input functions as COPY, one round trip instead of four (create staging, COPY, INSERT, empty
 * it). A live loader's transactions hold a few responses each, so that is where its time went. Rows sharing
 * a conflict key are merged first (later values win), because one statement may not touch a row twice.
 * `merge-present` groups rows by the columns they carry and only updates those, so a response carrying
 * some metrics never nulls another's; `extra` jsonb is merged. Rows are written in conflict-key order,
 * so two transactions touching the same rows wait for each other instead of deadlocking.
 *
 * Runs in the caller's transaction, or in its own when the connection is not in one (the staging
 * table empties itself at COMMIT).
 */
export async function upsertRows(
  client: ClientBase,
  spec: TableSpec,
  rows: Row[],
  options: { returnStored?: boolean } = {},
): Promise<UpsertResult> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  const returnStored = options.returnStored ?? false;
  if (client.getTransactionStatus() !== 'I') return upsertInTransaction(client, spec, rows, returnStored);
  return inClientTransaction(client, () => upsertInTransaction(client, spec, rows, returnStored));
}

async function upsertInTransaction(
  client: ClientBase,
  spec: TableSpec,
  rows: Row[],
  returnStored: boolean,
): Promise<UpsertResult> {
  const counts: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
  const types = new Map(spec.columns.map((c) => [c.name, c.type]));
  let staging: string | undefined;
  const decoders = returnStored ? spec.columns.map((c) => storedValueDecoder(c.type)) : [];
  // a row written by two column-set statements comes back twice: the later state wins
  const stored = new Map<string, Row>();
  for (const group of groupRows(spec, mergeByKey(spec, rows))) {
    let source: string;
    let values: Array<Array<string | null>> | undefined;
    if (group.rows.length <= PARAMETER_ROWS) {
      source = parameterRows(group.columns, types);
      values = parameterValues(group.columns, types, group.rows);
    } else {
      staging ??= await stagingTable(client, spec.table, spec.columns);
      await copyRows(client, staging, group.columns, types, group.rows);
      source = qualifiedName(staging);
    }
    const result = await client.query<unknown[]>({
      text: upsertSql(spec, source, group.columns, types, returnStored, group.partial),
      values,
      rowMode: 'array',
      types: TEXT_VALUES,
    });
    // empty again for the next column set or the next call in this transaction
    if (!values) await client.query(`DELETE FROM ${source}`);
    for (const values of result.rows) {
      if (values[0] === 't') counts.inserted++;
      else counts.updated++;
      if (!returnStored) continue;
      const row: Row = {};
      for (let i = 0; i < decoders.length; i++)
        row[spec.columns[i].name] = values[i + 1] === null ? null : decoders[i](values[i + 1] as string);
      stored.set(conflictKeyOf(spec, row), row);
    }
    counts.unchanged += group.rows.length - result.rows.length;
  }
  if (returnStored) counts.stored = [...stored.values()];
  return counts;
}

/** Column sets of at most this many rows go in as parameters (one statement) rather than through COPY. */
export const PARAMETER_ROWS = 500;

/** The rows of `$1…$n` (one `text[]` per column) as a relation named like the staging table's columns. */
function parameterRows(columns: string[], types: ReadonlyMap<string, string>): string {
  const casts = columns.map((c) => `s.${quoteIdent(c)}::${types.get(c)} AS ${quoteIdent(c)}`);
  const arrays = columns.map((_, i) => `$${i + 1}::text[]`);
  return `(SELECT ${casts.join(', ')} FROM unnest(${arrays.join(', ')}) AS s(${columns.map(quoteIdent).join(', ')})) AS staging`;
}

function parameterValues(
  columns: string[],
  types: ReadonlyMap<string, string>,
  rows: readonly Row[],
): Array<Array<string | null>> {
  return columns.map((c) => {
    const json = isJsonType(types.get(c));
    return rows.map((row) => valueText(row[c], json));
  });
}

function upsertSql(
  spec: TableSpec,
  source: string,
  columns: string[],
  types: ReadonlyMap<string, string>,
  returnStored: boolean,
  partial = false,
): string {
  const target = qualifiedName(spec.table);
  const list = columns.map(quoteIdent).join(', ');
  const updatable = columns.filter((c) => !spec.conflictKey.includes(c));
  const assignments = updatable.map((c) =>
    c === 'extra' && types.get(c) === 'jsonb' && spec.mode === 'merge-present'
      ? `extra = COALESCE(t.extra, '{}'::jsonb) || COALESCE(EXCLUDED.extra, '{}'::jsonb)`
      : partial && c === spec.changeColumn
        ? `${quoteIdent(c)} = ${mergedPayloadSql(c)}`
        : `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`,
  );
  if (spec.mode === 'if-changed') assignments.push('updated_at = now()');
  const key = spec.conflictKey.map(quoteIdent).join(', ');
  const action =
    assignments.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${assignments.join(', ')}${updateCondition(spec, columns, partial)}`;
  // xmax = 0 only for freshly inserted tuples: tells inserts from updates without a second query
  const returning = [
    '(xmax = 0)',
    ...(returnStored ? spec.columns.map((c) => storedValueSql(c.name, c.type)) : []),
  ].join(', ');
  return `INSERT INTO ${target} AS t (${list}) SELECT ${list} FROM ${source} ORDER BY ${key} ON CONFLICT (${key}) ${action} RETURNING ${returning}`;
}

/** A partial payload over the stored one: top-level keys of the incoming (newer) observation win. */
function mergedPayloadSql(column: string): string {
  const c = quoteIdent(column);
  return `COALESCE(t.${c}, '{}'::jsonb) || EXCLUDED.${c}`;
}

function updateCondition(spec: TableSpec, columns: string[], partial = false): string {
  if (spec.mode !== 'if-changed') return '';
  const conditions: string[] = [];
  if (spec.changeColumn) {
    const c = quoteIdent(spec.changeColumn);
    conditions.push(
      `t.${c} IS DISTINCT FROM ${partial ? mergedPayloadSql(spec.changeColumn) : `EXCLUDED.${c}`}`,
    );
  }
  if (spec.versionColumn && columns.includes(spec.versionColumn)) {
    const v = quoteIdent(spec.versionColumn);
    conditions.push(`(t.${v} IS NULL OR EXCLUDED.${v} IS NULL OR t.${v} <= EXCLUDED.${v})`);
  }
  return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * Stored rows come back as PostgreSQL's text of each value (no per-type parsing by node-postgres) and are
 * decoded to what `to_jsonb(row)` would give: numbers, booleans, strings and JSON as such; every other
 * type (dates, timestamps, …) goes through to_jsonb in the statement, so its JSON form does not depend
 * on the session's DateStyle.
 */
const TEXT_VALUES = { getTypeParser: () => (value: string) => value };

const NUMERIC_TYPES = new Set([
  'int2',
  'int4',
  'int8',
  'smallint',
  'integer',
  'bigint',
  'float4',
  'float8',
  'real',
  'double precision',
  'numeric',
  'decimal',
]);
const TEXT_TYPES = new Set([
  'text',
  'varchar',
  'character varying',
  'char',
  'character',
  'bpchar',
  'uuid',
  'citext',
  'name',
]);
const JSON_TYPES = new Set(['json', 'jsonb']);
const BOOLEAN_TYPES = new Set(['bool', 'boolean']);
/** what to_jsonb makes of the float and numeric values JSON has no number for */
const NON_FINITE = new Set(['NaN', 'Infinity', '-Infinity']);

const baseType = (type: string): string =>
  type
    .toLowerCase()
    .replace(/\(.*\)/, '')
    .trim();
const passesAsText = (type: string): boolean =>
  [NUMERIC_TYPES, TEXT_TYPES, JSON_TYPES, BOOLEAN_TYPES].some((set) => set.has(baseType(type)));

function storedValueSql(column: string, type: string): string {
  return passesAsText(type) ? `t.${quoteIdent(column)}` : `to_jsonb(t.${quoteIdent(column)})::text`;
}

function storedValueDecoder(type: string): (text: string) => unknown {
  const base = baseType(type);
  if (NUMERIC_TYPES.has(base)) return (text) => (NON_FINITE.has(text) ? text : Number(text));
  if (BOOLEAN_TYPES.has(base)) return (text) => text === 't';
  if (TEXT_TYPES.has(base)) return (text) => text;
  return (text) => JSON.parse(text) as unknown;
}

/**
 * One row per conflict key. A row is only copied when a second one merges into it, so the caller's rows
 * stay as they were (copied by a loop: spread and Object.assign cost several times as much here).
 */
function mergeByKey(spec: TableSpec, rows: Row[]): Row[] {
  const merged = new Map<string, Row>();
  const copies = new Set<Row>();
  for (const row of rows) {
    const key = conflictKeyOf(spec, row);
    const previous = merged.get(key);
    if (!previous) merged.set(key, row);
    else if (spec.mode === 'merge-present') merged.set(key, mergePresent(previous, row, copies));
    else if (spec.versionColumn && isOlder(row[spec.versionColumn], previous[spec.versionColumn])) continue;
    else if (spec.partialFlag && row[spec.partialFlag] === true)
      merged.set(key, mergePartial(spec, previous, row));
    else merged.set(key, row);
  }
  return [...merged.values()];
}

/** A partial row over an earlier one of the same key: its columns win, payloads merge; partial only if both were. */
export function mergePartial(spec: TableSpec, previous: Row, row: Row): Row {
  const into: Row = { ...previous, ...row };
  const change = spec.changeColumn;
  if (change && isPlainObject(previous[change]) && isPlainObject(row[change]))
    into[change] = { ...previous[change], ...row[change] };
  into[spec.partialFlag!] = previous[spec.partialFlag!] === true;
  return into;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Column-set groups, partial rows (see TableSpec.partialFlag) apart from whole ones. */
function groupRows(
  spec: TableSpec,
  rows: Row[],
): Array<{ columns: string[]; rows: Row[]; partial: boolean }> {
  const names = spec.columns.map((c) => c.name);
  const flag = spec.partialFlag;
  if (!flag) return groupByColumnSet(rows, names).map((g) => ({ ...g, partial: false }));
  const partial = rows.filter((r) => r[flag] === true);
  const whole = partial.length === 0 ? rows : rows.filter((r) => r[flag] !== true);
  return [
    ...groupByColumnSet(whole, names).map((g) => ({ ...g, partial: false })),
    ...groupByColumnSet(partial, names).map((g) => ({ ...g, partial: true })),
  ];
}

/** `row`'s columns over `previous`'s (into a copy, unless `previous` is one already); `extra` objects merged. */
function mergePresent(previous: Row, row: Row, copies: Set<Row>): Row {
  let into = previous;
  if (!copies.has(previous)) {
    into = {};
    for (const column in previous) into[column] = previous[column];
    copies.add(into);
  }
  const extra = mergedExtra(previous.extra, row.extra);
  for (const column in row) into[column] = row[column];
  if (extra) into.extra = extra;
  return into;
}

/** The conflict key as one string: NUL separates the parts (PostgreSQL text cannot hold it), \u0001 is null. */
function conflictKeyOf(spec: TableSpec, row: Row): string {
  let key = '';
  for (const column of spec.conflictKey) {
    const value = row[column];
    key +=
      value === null || value === undefined
        ? '\u0000\u0001'
        : `\u0000\u0002${(value as string | number | boolean | bigint).toString()}`;
  }
  return key;
}

function isOlder(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return false;
  return new Date(a as string).getTime() < new Date(b as string).getTime();
}

function mergedExtra(a: unknown, b: unknown): Row | undefined {
  if (a && b && typeof a === 'object' && typeof b === 'object') return { ...a, ...b };
  return undefined;
}

/** Rows grouped by which of the spec's columns they carry (not undefined), each group's columns in spec order. */
function groupByColumnSet(
  rows: Row[],
  columns: readonly string[],
): Array<{ columns: string[]; rows: Row[] }> {
  const groups = new Map<string, { columns: string[]; rows: Row[] }>();
  for (const row of rows) {
    // one bit per column, 30 to a word: cheaper per row than listing names
    let id = '';
    let word = 0;
    for (let i = 0; i < columns.length; i++) {
      if (row[columns[i]] !== undefined) word |= 1 << (i % 30);
      if (i % 30 === 29 || i === columns.length - 1) {
        id += `${word},`;
        word = 0;
      }
    }
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { columns: columns.filter((c) => row[c] !== undefined), rows: [] }));
    group.rows.push(row);
  }
  // column sets in a fixed order too: two transactions never run their statements in opposite orders
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}
