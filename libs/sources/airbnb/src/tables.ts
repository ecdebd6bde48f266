import type { ColumnSpec, TableSpec } from '@staysync/core';

/**
 * Loader tables of the `airbnb` schema (reference §8), the source of truth for the SQL migrations.
 *
 * - Metric rows carry `time` = the envelope's scrape date (one snapshot per scrape day; a same-day
 *   rerun overwrites). Migrations should still default it to `now()::date`.
 * - `merge-present`: a row only carries the columns of its own response, so e.g. the p3_impressions
 *   chart never nulls the conversion_rate chart columns of the same (listing, date, time).
 * - A metric the table has no column for is kept in `extra` jsonb as `{"<column>": value}` and reported
 *   in ParseResult.unknownMetrics. NB: merge-present replaces `extra` as a whole; two responses with
 *   different unknown metrics for the same key need `extra = coalesce(t.extra,'{}') || excluded.extra`.
 * - `airbnb.listings` (not in the reference schema; ours) holds the latest identity of each listing,
 *   keyed (account_id, airbnb_listing_id); `last_seen_date` is the scrape date of the latest sync that
 *   listed it. It loads first (`order`) so metric rows can reference it.
 * - Reference names for the migrations: constraints in AIRBNB_UNIQUE_CONSTRAINTS, an index
 *   `ix_airbnb_<table>_listing_date` on each metric table's conflict key, and
 *   `create_hypertable('airbnb.<table>', 'time', if_not_exists => TRUE)` for the three metric tables.
 */
export const AIRBNB_TABLES = {
  listings: 'airbnb.listings',
  chartQuery: 'airbnb.chart_query',
  listOfMetrics: 'airbnb.list_of_metrics',
  chartSummary: 'airbnb.chart_summary',
} as const;

export type AirbnbTableName = (typeof AIRBNB_TABLES)[keyof typeof AIRBNB_TABLES];

export const AIRBNB_UNIQUE_CONSTRAINTS: Readonly<Record<AirbnbTableName, string>> = {
  'airbnb.listings': 'uq_listings_account_listing',
  'airbnb.chart_query': 'uq_chart_query_listing_metric_date',
  'airbnb.list_of_metrics': 'uq_list_of_metrics_listing_window',
  'airbnb.chart_summary': 'uq_chart_summary_listing_window',
};

/** Metrics with dedicated columns and the PG type of their numeric value. */
const PERCENTAGE = 'float8';
const COUNT = 'int8';

const CHART_METRICS: ReadonlyArray<[string, string]> = [
  ['conversion_rate', PERCENTAGE],
  ['p3_impressions', COUNT],
];

const LIST_OF_METRICS: ReadonlyArray<[string, string]> = [
  ['conversion_rate', PERCENTAGE],
  ['p2_impressions_first_page_rate', PERCENTAGE],
  ['search_conversion_rate', PERCENTAGE],
  ['listing_conversion_rate', PERCENTAGE],
  ['p3_impressions', COUNT],
  ['p2_impressions', COUNT],
];

/** Primary chart metrics whose window total is compared with similar listings (valueChange). */
const SUMMARY_CHANGE_METRICS = ['conversion_rate', 'p3_impressions'];

const col = (name: string, type: string): ColumnSpec => ({ name, type });

const valueColumns = (prefix: string, type: string): ColumnSpec[] => [
  col(`${prefix}_value`, type),
  col(`${prefix}_value_string`, 'text'),
];

const COMMON_METRIC_COLUMNS: ColumnSpec[] = [
  col('account_id', 'text'),
  col('time', 'date'),
  col('airbnb_listing_id', 'text'),
  col('airbnb_internal_name', 'text'),
];

const EXTRA_COLUMN = col('extra', 'jsonb');

const CHART_QUERY_METRIC_COLUMNS: ColumnSpec[] = CHART_METRICS.flatMap(([metric, type]) => [
  ...valueColumns(`${metric}_your`, type),
  ...valueColumns(`${metric}_similar`, type),
]);

const LIST_OF_METRICS_METRIC_COLUMNS: ColumnSpec[] = LIST_OF_METRICS.flatMap(([metric, type]) =>
  valueColumns(metric, type),
);

// valueChange is a double even for counts (the fixture's 222.0), hence float8.
const CHART_SUMMARY_METRIC_COLUMNS: ColumnSpec[] = [
  ...LIST_OF_METRICS_METRIC_COLUMNS,
  ...SUMMARY_CHANGE_METRICS.flatMap((metric) => [
    col(`${metric}_value_change`, 'float8'),
    col(`${metric}_value_change_string`, 'text'),
  ]),
];

const WINDOW_COLUMNS = [col('window_start', 'date'), col('window_end', 'date')];
const WINDOW_KEY = ['account_id', 'airbnb_listing_id', 'window_start', 'time'];

export const LISTINGS_ORDER = 10;
export const METRICS_ORDER = 20;

export const listingsTable: TableSpec = {
  table: AIRBNB_TABLES.listings,
  columns: [
    col('account_id', 'text'),
    col('airbnb_listing_id', 'text'),
    col('airbnb_internal_name', 'text'),
    col('listing_name', 'text'),
    col('thumbnail_url', 'text'),
    col('last_seen_date', 'date'),
  ],
  conflictKey: ['account_id', 'airbnb_listing_id'],
  mode: 'merge-present',
  order: LISTINGS_ORDER,
};

export const chartQueryTable: TableSpec = {
  table: AIRBNB_TABLES.chartQuery,
  columns: [
    ...COMMON_METRIC_COLUMNS,
    col('metric_date', 'date'),
    ...CHART_QUERY_METRIC_COLUMNS,
    EXTRA_COLUMN,
  ],
  conflictKey: ['account_id', 'airbnb_listing_id', 'metric_date', 'time'],
  mode: 'merge-present',
  order: METRICS_ORDER,
};

export const listOfMetricsTable: TableSpec = {
  table: AIRBNB_TABLES.listOfMetrics,
  columns: [...COMMON_METRIC_COLUMNS, ...WINDOW_COLUMNS, ...LIST_OF_METRICS_METRIC_COLUMNS, EXTRA_COLUMN],
  conflictKey: WINDOW_KEY,
  mode: 'merge-present',
  order: METRICS_ORDER,
};

export const chartSummaryTable: TableSpec = {
  table: AIRBNB_TABLES.chartSummary,
  columns: [...COMMON_METRIC_COLUMNS, ...WINDOW_COLUMNS, ...CHART_SUMMARY_METRIC_COLUMNS, EXTRA_COLUMN],
  conflictKey: WINDOW_KEY,
  mode: 'merge-present',
  order: METRICS_ORDER,
};

export const airbnbTables: TableSpec[] = [
  listingsTable,
  chartQueryTable,
  listOfMetricsTable,
  chartSummaryTable,
];

/** The metric columns each table has (everything else a response names goes to `extra`). */
export const AIRBNB_KNOWN_METRIC_COLUMNS: Readonly<Record<AirbnbTableName, readonly string[]>> = {
  'airbnb.listings': [],
  'airbnb.chart_query': CHART_QUERY_METRIC_COLUMNS.map((c) => c.name),
  'airbnb.list_of_metrics': LIST_OF_METRICS_METRIC_COLUMNS.map((c) => c.name),
  'airbnb.chart_summary': CHART_SUMMARY_METRIC_COLUMNS.map((c) => c.name),
};
