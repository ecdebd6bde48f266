import type { Row, TableSpec } from '@staysync/core';

/**
 * Parsed rows as Kafka Connect records in JsonConverter's `schemas.enable=true` form: key and value are
 * each `{ schema, payload }`. The key is the table's conflict key (the JDBC sink's
 * `primary.key.mode=record_key`); the value carries only the columns the row has, so an upsert updates
 * just those — the loader's merge-present — and a table's columns map to Connect types the sink binds
 * to the same PostgreSQL types (a date as Connect's Date logical type, jsonb as Debezium's Json).
 */
export interface ConnectRecord {
  key: string;
  value: string;
}

interface FieldSchema {
  field: string;
  type: string;
  optional: boolean;
  name?: string;
  version?: number;
}

const TYPES: Record<string, Omit<FieldSchema, 'field' | 'optional'>> = {
  text: { type: 'string' },
  int8: { type: 'int64' },
  float8: { type: 'double' },
  bool: { type: 'boolean' },
  date: { type: 'int32', name: 'org.apache.kafka.connect.data.Date', version: 1 },
  jsonb: { type: 'string', name: 'io.debezium.data.Json', version: 1 },
  timestamptz: { type: 'string', name: 'io.debezium.time.ZonedTimestamp', version: 1 },
};

const DAY_MS = 86_400_000;

export function connectRecords(spec: TableSpec, rows: Row[]): ConnectRecord[] {
  const columns = spec.columns.map((c) => {
    const type = TYPES[c.type];
    if (!type) throw new Error(`no Connect type for ${spec.table}.${c.name} (${c.type})`);
    return { name: c.name, pgType: c.type, schema: type };
  });
  const keyColumns = spec.conflictKey.map((name) => columns.find((c) => c.name === name)!);
  const keySchema = JSON.stringify({
    type: 'struct',
    name: `${spec.table}.Key`,
    optional: false,
    fields: keyColumns.map((c) => ({ field: c.name, optional: false, ...c.schema })),
  });
  // rows of one response share their column set: one value schema per set, serialised once
  const valueSchemas = new Map<string, string>();
  return rows.map((row) => {
    const present = columns.filter((c) => row[c.name] !== undefined);
    const shape = present.map((c) => c.name).join(',');
    let valueSchema = valueSchemas.get(shape);
    if (!valueSchema) {
      valueSchema = JSON.stringify({
        type: 'struct',
        name: `${spec.table}.Value`,
        optional: false,
        fields: present.map((c) => ({
          field: c.name,
          optional: !spec.conflictKey.includes(c.name),
          ...c.schema,
        })),
      });
      valueSchemas.set(shape, valueSchema);
    }
    const key = Object.fromEntries(keyColumns.map((c) => [c.name, connectValue(row[c.name], c.pgType)]));
    const value = Object.fromEntries(present.map((c) => [c.name, connectValue(row[c.name], c.pgType)]));
    return {
      key: `{"schema":${keySchema},"payload":${JSON.stringify(key)}}`,
      value: `{"schema":${valueSchema},"payload":${JSON.stringify(value)}}`,
    };
  });
}

export function connectValue(value: unknown, pgType: string): unknown {
  if (value === null || value === undefined) return null;
  switch (pgType) {
    case 'date':
      return Math.round(
        Date.parse(
          `${(value instanceof Date ? value.toISOString() : (value as string)).slice(0, 10)}T00:00:00Z`,
        ) / DAY_MS,
      );
    case 'jsonb':
      return JSON.stringify(value);
    case 'timestamptz':
      return new Date(value as string | number | Date).toISOString();
    default:
      return value;
  }
}
