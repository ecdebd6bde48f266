import type { ReadTable } from '@staysync/core';
import { SOURCES } from '@staysync/sources';

/** A table the read API serves: the sources declare theirs (`SourcePlugin.readTables`), the core its own. */
export type QueryTable = ReadTable;

/** Every registered source's read tables, by name (checkSources keeps the names unique). */
const SOURCE_READ_TABLES: ReadonlyMap<string, QueryTable> = new Map(
  SOURCES.flatMap((source) => (source.readTables ?? []).map((table) => [table.name, table] as const)),
);

/** The read table a source declared under this name; a route naming one no source declares fails at start-up. */
export function readTable(name: string): QueryTable {
  const table = SOURCE_READ_TABLES.get(name);
  if (!table) throw new Error(`no registered source declares the read table "${name}"`);
  return table;
}

/** A source's snapshot tables (one snapshot per scrape day), by name. */
export function snapshotTablesOf(source: string): Readonly<Record<string, QueryTable>> {
  const tables = SOURCES.find((plugin) => plugin.name === source)?.readTables ?? [];
  return Object.fromEntries(tables.filter((table) => table.snapshot).map((table) => [table.name, table]));
}

/** Responses a job dead-lettered (ops.dead_lettered_responses), read per job through its primary key. */
export const DEAD_LETTERS: QueryTable = {
  name: 'dead_letters',
  relation: 'ops.dead_lettered_responses',
  columns: ['job_id', 'request_key', 'stage', 'reason', 'parser_version', 'created_at'],
  types: { job_id: 'uuid', request_key: 'text' },
  key: ['job_id', 'request_key'],
  job: 'job_id',
};
