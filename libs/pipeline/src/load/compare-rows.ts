import type { ClientBase } from 'pg';
import type { Row, TableSpec } from '@staysync/core';
import { mergePartial } from '@staysync/db';

export interface ChangeSample {
  /** conflict key column → value */
  key: Record<string, unknown>;
  /** changed column → old and new value */
  changes: Record<string, { old: unknown; new: unknown }>;
}

export interface RowComparison {
  added: number;
  changed: number;
  unchanged: number;
  /** at most MAX_SAMPLES changed rows */
  samples: ChangeSample[];
}

export const MAX_SAMPLES = 10;

/**
 * What an upsert of `rows` would do, without writing: rows whose key is new are added; existing
 * rows are changed when a column the incoming row carries differs from the stored value. (The
 * upsert itself cannot tell: `merge-present` reports every conflict as an update.)
 */
export async function compareWithStored(
  client: ClientBase,
  spec: TableSpec,
  rows: Row[],
): Promise<RowComparison> {
  const result: RowComparison = { added: 0, changed: 0, unchanged: 0, samples: [] };
  const incoming = mergeByKey(spec, rows);
  if (incoming.length === 0) return result;
  const stored = await storedRowsByKey(client, spec, incoming);
  const types = new Map(spec.columns.map((c) => [c.name, c.type]));
  for (const row of incoming) {
    const existing = stored.get(keyOf(spec, row));
    if (!existing) {
      result.added += 1;
      continue;
    }
    const changes = changedColumns(spec, types, row, existing);
    // as the upsert: an if-changed row whose payload is unchanged updates nothing
    const payloadSame =
      spec.mode === 'if-changed' && spec.changeColumn !== undefined && !(spec.changeColumn in changes);
    if (Object.keys(changes).length === 0 || payloadSame) {
      result.unchanged += 1;
      continue;
    }
    result.changed += 1;
    if (result.samples.length < MAX_SAMPLES) {
      result.samples.push({
        key: Object.fromEntries(spec.conflictKey.map((c) => [c, row[c] ?? null])),
        changes,
      });
    }
  }
  return result;
}

async function storedRowsByKey(client: ClientBase, spec: TableSpec, rows: Row[]): Promise<Map<string, Row>> {
  const types = new Map(spec.columns.map((c) => [c.name, c.type]));
  const keyColumns = spec.conflictKey.map((c) => `t."${c}"`).join(', ');
  const params = spec.conflictKey.map((c, i) => `$${i + 1}::${types.get(c) ?? 'text'}[]`).join(', ');
  // to_jsonb renders dates as YYYY-MM-DD and numbers as numbers: comparable with parsed rows
  const { rows: found } = await client.query<{ row: Row }>(
    `SELECT to_jsonb(t) AS row FROM ${spec.table} t WHERE (${keyColumns}) IN (SELECT * FROM unnest(${params}))`,
    spec.conflictKey.map((c) =>
      rows.map((r) =>
        r[c] === undefined || r[c] === null ? null : (r[c] as string | number | boolean | bigint).toString(),
      ),
    ),
  );
  return new Map(found.map(({ row }) => [keyOf(spec, row), row]));
}

function changedColumns(
  spec: TableSpec,
  types: Map<string, string>,
  incoming: Row,
  existing: Row,
): ChangeSample['changes'] {
  const changes: ChangeSample['changes'] = {};
  for (const [column, value] of Object.entries(incoming)) {
    const type = types.get(column);
    if (!type || value === undefined || spec.conflictKey.includes(column)) continue;
    const old = existing[column] ?? null;
    const partialPayload =
      spec.partialFlag !== undefined && incoming[spec.partialFlag] === true && column === spec.changeColumn;
    const next =
      type === 'jsonb' && spec.mode === 'merge-present' && column === 'extra'
        ? mergedExtra(old, value)
        : partialPayload && isObject(old) && isObject(value)
          ? { ...old, ...value }
          : value;
    if (!sameValue(type, old, next)) changes[column] = { old, new: next };
  }
  return changes;
}

function mergedExtra(old: unknown, incoming: unknown): unknown {
  if (incoming === null) return old;
  return { ...(isObject(old) ? old : {}), ...(isObject(incoming) ? incoming : {}) };
}

function sameValue(type: string, stored: unknown, incoming: unknown): boolean {
  if (stored === null || incoming === null) return stored === null && incoming === null;
  switch (type) {
    case 'int8':
    case 'int4':
    case 'float8':
      return Number(stored) === Number(incoming);
    case 'timestamptz':
      return Date.parse(stored as string) === Date.parse(incoming as string);
    case 'jsonb':
      return canonicalJson(stored) === canonicalJson(incoming);
    default:
      return (
        (stored as string | number | boolean | bigint).toString() ===
        (incoming as string | number | boolean | bigint).toString()
      );
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function keyOf(spec: TableSpec, row: Row): string {
  return JSON.stringify(
    spec.conflictKey.map((c) =>
      row[c] === undefined || row[c] === null
        ? null
        : (row[c] as string | number | boolean | bigint).toString(),
    ),
  );
}

/** Same merge as the upsert: rows sharing a key become one (later values win; merge-present keeps earlier columns). */
function mergeByKey(spec: TableSpec, rows: Row[]): Row[] {
  const merged = new Map<string, Row>();
  for (const row of rows) {
    const key = keyOf(spec, row);
    const previous = merged.get(key);
    if (previous && spec.mode === 'merge-present') {
      const extra =
        isObject(previous.extra) && isObject(row.extra) ? { extra: { ...previous.extra, ...row.extra } } : {};
      Object.assign(previous, row, extra);
    } else if (previous && spec.partialFlag && row[spec.partialFlag] === true) {
      merged.set(key, mergePartial(spec, previous, row));
    } else {
      merged.set(key, { ...row });
    }
  }
  return [...merged.values()];
}
