/** PostgreSQL type a filter or cursor value is cast to (values travel as text parameters). */
export type SqlType = 'text' | 'bigint' | 'date' | 'timestamptz' | 'uuid';

/**
 * A table the admin's read API serves. Everything its SQL builder needs is data here: no route builds
 * SQL. Each filter column should have an index that serves it (docs/read-side.md).
 */
export interface ReadTable {
  /** name in the URL and in the export's file name */
  name: string;
  relation: string;
  /** columns returned, in order (CSV header order) */
  columns: string[];
  types: Record<string, SqlType>;
  /** unique ordering key: JSON pages continue after the last row's key (keyset pagination) */
  key: string[];
  account?: string;
  /** sync job id column (dead letters) */
  job?: string;
  listing?: string;
  /** the column `from`/`to` bound (inclusive days) */
  date?: string;
  status?: string;
  /**
   * Metric tables keep one snapshot per scrape day in `time`. By default only the latest snapshot of each
   * key (key minus `time`) is returned; `as_of=<date>` takes the latest scraped on or before that day,
   * `as_of=all` every snapshot.
   */
  snapshot?: boolean;
  /** columns `metrics=` may select from (the rest of the row is always returned) */
  metricColumns?: string[];
}

/**
 * A source's table under the admin's retention: rows older than the setting's days go. `setting` is a
 * key of the retention config's `days` (`RETENTION_<SETTING>_DAYS`); its raw store is under `raw` like
 * every source's, without being declared.
 */
export interface RetainedTable {
  table: string;
  /** the column that ages a row */
  timeColumn: string;
  setting: string;
}

/**
 * A gauge of a source's own state in the database, read at scrape time (e.g. its webhook registrations
 * by status). `sql` returns one row per series: a column per label and `n`.
 */
export interface StateGauge {
  name: string;
  help: string;
  labelNames: readonly string[];
  sql: string;
}
