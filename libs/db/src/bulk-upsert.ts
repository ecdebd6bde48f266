import type { ClientBase } from 'pg';
import type { Row, TableSpec } from '@staysync/core';
import { qualifiedName, quoteIdent } from './identifiers';

export interface UpsertCounts {
  inserted: number;
  updated: number;
  /** rows whose conflict key existed but nothing changed (only `if-changed` tables can tell) */
  unchanged: number;
}

export interface UpsertResult extends UpsertCounts {
  /** with `returnStored`: each inserted or updated row as stored afterwards (all columns, JSON types), once per key */
  stored?: Row[];
}


/**
 * Set-based upsert of many rows in one statement per column set:
 *
 *   INSERT INTO t (c1, c2, …) SELECT * FROM unnest($1::type[], $2::type[], …)
 *   ON CONFLICT (key…) DO UPDATE SET c = EXCLUDED.c …            -- merge-present
 *   [WHERE t.payload IS DISTINCT FROM EXCLUDED.payload           -- if-changed
 *      AND t.observed_at <= EXCLUDED.observed_at]                 -- with a versionColumn
 *
 * Rows sharing a conflict key are merged first (later values win), because one statement may
 * not touch a row twice. `merge-present` groups rows by the columns they carry and only updates
 * those, so a response carrying some metrics never nulls another's; `extra` jsonb is merged.
 */
export async function upsertRows(client: ClientBase, spec: TableSpec, rows: Row[], options: { returnStored?: boolean } = {}): Promise<UpsertResult> {
  const counts: UpsertResult = { inserted: 0, updated: 0, unchanged: 0 };
  if (rows.length === 0) return counts;
  const types = new Map(spec.columns.map((c) => [c.name, c.type]));
  // a row written by two column-set statements comes back twice: the later state wins
  const stored = new Map<string, Row>();
  for (const group of groupByColumnSet(mergeByKey(spec, rows), types)) {
    const result = await client.query<{ inserted: boolean; stored?: Row }>(
      upsertSql(spec, group.columns, types, options.returnStored ?? false),
      group.columns.map((c) => columnArray(group.rows, c, types.get(c)!)),
    );
    const inserted = result.rows.filter((r) => r.inserted).length;
    counts.inserted += inserted;
    counts.updated += result.rows.length - inserted;
    counts.unchanged += group.rows.length - result.rows.length;
    for (const { stored: row } of result.rows) if (row) stored.set(conflictKeyOf(spec, row), row);
  }
  if (options.returnStored) counts.stored = [...stored.values()];
  return counts;
}

function upsertSql(spec: TableSpec, columns: string[], types: Map<string, string>, returnStored: boolean): string {
  const target = qualifiedName(spec.table);
  const params = columns.map((c, i) => `$${i + 1}::${arrayType(types.get(c)!)}`).join(', ');
  const updatable = columns.filter((c) => !spec.conflictKey.includes(c));
  const assignments = updatable.map((c) =>
    c === 'extra' && types.get(c) === 'jsonb' && spec.mode === 'merge-present'
      ? `extra = COALESCE(t.extra, '{}'::jsonb) || COALESCE(EXCLUDED.extra, '{}'::jsonb)`
      : `${quoteIdent(c)} = EXCLUDED.${quoteIdent(c)}`,
  );
  if (spec.mode === 'if-changed') assignments.push('updated_at = now()');
  const conflict = `ON CONFLICT (${spec.conflictKey.map(quoteIdent).join(', ')})`;
  const action = assignments.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${assignments.join(', ')}${updateCondition(spec, columns)}`;
  // xmax = 0 only for freshly inserted tuples: tells inserts from updates without a second query
  const returning = `(xmax = 0) AS inserted${returnStored ? ', to_jsonb(t) AS stored' : ''}`;
  return `INSERT INTO ${target} AS t (${columns.map(quoteIdent).join(', ')}) SELECT * FROM unnest(${params}) ${conflict} ${action} RETURNING ${returning}`;
}

function updateCondition(spec: TableSpec, columns: string[]): string {
  if (spec.mode !== 'if-changed') return '';
  const conditions: string[] = [];
  if (spec.changeColumn) conditions.push(`t.${quoteIdent(spec.changeColumn)} IS DISTINCT FROM EXCLUDED.${quoteIdent(spec.changeColumn)}`);
  if (spec.versionColumn && columns.includes(spec.versionColumn)) {
    const v = quoteIdent(spec.versionColumn);
    conditions.push(`(t.${v} IS NULL OR EXCLUDED.${v} IS NULL OR t.${v} <= EXCLUDED.${v})`);
  }
  return conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * One row per conflict key, in key order: every transaction takes row locks in the same order, so two
 * loader transactions touching the same rows (e.g. a listing's p3_impressions and conversion_rate
 * charts, keyed to different partitions) wait for each other instead of deadlocking.
 */
function mergeByKey(spec: TableSpec, rows: Row[]): Row[] {
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const key = conflictKeyOf(spec, row);
    const previous = merged.get(key);
    if (!previous) merged.set(key, { ...row });
    else if (spec.mode === 'merge-present') Object.assign(previous, row, mergeExtra(previous.extra, row.extra));
    else if (!spec.versionColumn || !isOlder(row[spec.versionColumn], previous[spec.versionColumn])) merged.set(key, { ...row });
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

/** The conflict key as one string: NUL separates the parts (PostgreSQL text cannot hold it), \u0001 is null. */
function conflictKeyOf(spec: TableSpec, row: Row): string {
  let key = '';
  for (const column of spec.conflictKey) {
    const value = row[column];
    key += value === null || value === undefined ? '\u0000\u0001' : `\u0000\u0002${String(value)}`;
  }
  return key;
}

function isOlder(a: unknown, b: unknown): boolean {
  if (a == null || b == null) return false;
  return new Date(a as string).getTime() < new Date(b as string).getTime();
}

function mergeExtra(a: unknown, b: unknown): Row {
  if (a && b && typeof a === 'object' && typeof b === 'object') return { extra: { ...(a as object), ...(b as object) } };
  return {};
}

function groupByColumnSet(rows: Row[], types: Map<string, string>): Array<{ columns: string[]; rows: Row[] }> {
  const groups = new Map<string, { columns: string[]; rows: Row[] }>();
  // rows of one parser mostly share their key order: the set is worked out once per distinct order
  const columnSets = new Map<string, string>();
  for (const row of rows) {
    let present = '';
    for (const column in row) if (row[column] !== undefined) present += `${column},`;
    let id = columnSets.get(present);
    if (id === undefined) {
      id = Object.keys(row).filter((c) => types.has(c) && row[c] !== undefined).sort().join(',');
      columnSets.set(present, id);
    }
    const group = groups.get(id) ?? groups.set(id, { columns: id === '' ? [] : id.split(','), rows: [] }).get(id)!;
    group.rows.push(row);
  }
  // column sets in a fixed order too: two transactions never run their statements in opposite orders
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}

/** jsonb travels as text (node-postgres would otherwise encode JS arrays of objects as PG arrays). */
function arrayType(type: string): string {
  return type === 'jsonb' ? 'text[]::jsonb[]' : `${type}[]`;
}

function columnArray(rows: Row[], column: string, type: string): unknown[] {
  return rows.map((row) => {
    const value = row[column];
    if (value === null || value === undefined) return null;
    if (type === 'jsonb') return JSON.stringify(value);
    if (type === 'int8' && typeof value === 'number') return String(value);
    return value;
  });
}
