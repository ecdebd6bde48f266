import type { MigrationObject } from '@mikro-orm/core';
import type { z, ZodRawShape } from 'zod';
import type { RawEnvelope, Row, RowsByTable } from './envelope';
import type { FetchPlugin } from './fetch-plugin';
import type { ReadTable, RetainedTable, StateGauge } from './read-side';
import type { SourceAccounts } from './source-accounts';
import type { TopicDefinition } from './topic-definition';

/** Column of a loader table, with its PostgreSQL type (used for set-based upserts via unnest/COPY). */
export interface ColumnSpec {
  name: string;
  /** PostgreSQL type: text, date, int8, float8, jsonb, timestamptz, bool, uuid */
  type: string;
}

/**
 * How an upsert treats an existing row with the same conflict key.
 * - `merge-present`: update only the columns the incoming row carries (a response with some metrics
 *   never nulls the other metrics' columns); rows are grouped by their column set.
 * - `if-changed`: update every column, but only where the payload IS DISTINCT FROM the stored one.
 */
export type UpsertMode = 'merge-present' | 'if-changed';

export interface TableSpec {
  /** qualified name, e.g. `airbnb.chart_query` */
  table: string;
  columns: ColumnSpec[];
  conflictKey: string[];
  mode: UpsertMode;
  /** for `if-changed`: the column compared with IS DISTINCT FROM */
  changeColumn?: string;
  /**
   * for `if-changed`: a timestamp column telling which observation is newer (e.g. when the payload was
   * fetched or received). An incoming row older than the stored one is ignored, so a late, stale
   * delivery (a poll fetched before a webhook but loaded after it) never overwrites newer data.
   */
  versionColumn?: string;
  /**
   * for `if-changed`: the name of a row flag (not a column) the parser sets to `true` on rows that carry
   * only part of the entity, e.g. a webhook whose payload lacks fields a poll has. Such a row updates only
   * the columns it carries, and its `changeColumn` (jsonb) is merged onto the stored one — `t.c || new.c`,
   * the newer observation winning per top-level key — instead of replacing it.
   */
  partialFlag?: string;
  /** write order (FK parents first); lower first */
  order?: number;
}

export interface ParseResult {
  rows: RowsByTable;
  /** metric names seen that the tables have no column for (kept in `extra`) */
  unknownMetrics: string[];
}

/** A versioned parser: envelope → rows. Old versions stay for replaying old raw data. */
export interface Parser {
  version: number;
  parse(envelope: RawEnvelope): ParseResult;
}

/** A row as the loader stored it, with its qualified table name. */
export interface StoredRow {
  table: string;
  row: Row;
}

/** A message the loader publishes: its Kafka key and a value valid against the topic's schema. */
export interface PublishedMessage<TValue = unknown> {
  key: string;
  value: TValue;
}

/** A topic a source publishes its rows on after they were loaded (e.g. normalized metrics for other teams). */
export interface PublishedTopic<TValue = unknown> {
  /** the logical id used in code and logs, `<source>.<what>` (e.g. `airbnb.metrics`) */
  id: `${string}.${string}`;
  definition: TopicDefinition<TValue>;
  /** the messages for a load's stored rows (rows of tables it does not publish give none) */
  messages(storedRows: readonly StoredRow[], loadedAt: Date): PublishedMessage<TValue>[];
  /** `false`: the loader publishes it only when LOADER_PUBLISHED_TOPICS names it (default: published) */
  publishedByDefault?: boolean;
}

/** What a source puts on Kafka. */
export interface SourceTopics {
  /** its raw topic: id `raw.<name>`, on the wire `raw.<name>.v1`, the shared envelope schema */
  raw: { description: string };
  /** what the loader publishes after each load; none when absent */
  published?: readonly PublishedTopic[];
}

/** Environment variables of a source for one app: a zod shape keyed by variable name (each `<NAME>_…`) and the section built from them. */
export interface SourceConfigSection<TConfig = unknown> {
  readonly configShape: ZodRawShape;
  config(env: Readonly<Record<string, unknown>>): TConfig;
}

/**
 * A source's fetch side as the fetcher builds it: its variables, its section of the fetcher config
 * (`FetcherConfig.sources[name]`), and the plug-in made from that section.
 */
export interface SourceFetch<TConfig = unknown> extends SourceConfigSection<TConfig> {
  plugin(config: TConfig): FetchPlugin;
}

/** Types a config section by its own shape: `config` receives the parsed variables of `configShape`. */
export function sourceConfig<S extends ZodRawShape, TConfig>(spec: {
  configShape: S;
  config(env: z.infer<z.ZodObject<S>>): TConfig;
}): SourceConfigSection<TConfig> {
  return { configShape: spec.configShape, config: (env) => spec.config(env as z.infer<z.ZodObject<S>>) };
}

/** Types a source's fetch side by its own shape (see sourceConfig). */
export function sourceFetch<S extends ZodRawShape, TConfig>(spec: {
  configShape: S;
  config(env: z.infer<z.ZodObject<S>>): TConfig;
  plugin(config: TConfig): FetchPlugin;
}): SourceFetch<TConfig> {
  return { ...sourceConfig(spec), plugin: (config) => spec.plugin(config) };
}

/**
 * A migration of a source's schema, as the MikroORM migrator lists it. `name` is what the migrations table
 * records: `Migration<yyyymmddhhmmss><nn>_<what>`, unique across the core and every source; all migrations
 * run in the order of their names.
 */
export type SourceMigration = MigrationObject;

/** A JSON column whose payloads may hold sealed values (sealed property secrets), with the columns that identify a row. */
export interface SealedPayloadColumn {
  table: string;
  keys: readonly string[];
  column: string;
}

/** Where a source keeps values sealed with the credentials cipher: what rotate-key re-encrypts. */
export interface SourceSealedColumns {
  /** columns of `<name>.accounts` holding one sealed value each (credentials, tokens) */
  accountColumns: readonly string[];
  /** JSON columns with sealed values inside; none when absent */
  payloadColumns?: readonly SealedPayloadColumn[];
}

export interface SourcePlugin {
  /** `airbnb`, `hostaway` — also the schema name and the raw topic suffix */
  name: string;
  tables: TableSpec[];
  /**
   * the migrations of its schema `<name>`: a new source's first one creates its store
   * (`sourceStoreSql('<name>')` from libs/db), then its credential columns and its tables
   */
  migrations: readonly SourceMigration[];
  /** the envelope operations its parsers read (each has a conformance fixture) */
  operations: readonly string[];
  /** all registered parser versions; the highest is current */
  parsers: Parser[];
  topics: SourceTopics;
  fetch: SourceFetch;
  /** its tables the admin's read API serves (the routes name them); none when absent */
  readTables?: readonly ReadTable[];
  /** its tables under the admin's retention, beside its raw store; none when absent */
  retention?: readonly RetainedTable[];
  /** gauges of its own state the admin exports; none when absent */
  stateGauges?: readonly StateGauge[];
  /** where it keeps sealed values (rotate-key re-encrypts them under the active key) */
  sealed: SourceSealedColumns;
  /** admin's variables of this source (credential checks, webhooks): `AdminConfig.sources[name]`; none when absent */
  admin?: SourceConfigSection;
  /** its accounts in the admin API (`/api/v1/<name>/accounts`) and their entity; none when absent */
  accounts?: SourceAccounts;
  /**
   * Operations whose responses carry the account's data (not the discovery calls around them). A job
   * whose responses of these all parse to zero rows ends with a warning note: a changed response
   * shape the parser still reads as empty looks exactly like that.
   */
  dataOperations: readonly string[];
  /** what the scheduler's sync of an account is (e.g. backfill on the first run, else incremental) */
  scheduledSyncMode(account: { lastSyncAt: Date | null }): 'backfill' | 'incremental' | 'full';
}

export function currentParser(plugin: SourcePlugin): Parser {
  return plugin.parsers.reduce((a, b) => (b.version > a.version ? b : a));
}
