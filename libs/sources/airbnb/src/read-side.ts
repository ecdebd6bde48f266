import type { ReadTable, RetainedTable, SqlType, TableSpec } from '@staysync/core';
import { chartQueryTable, chartSummaryTable, listingsTable, listOfMetricsTable } from './tables';

const names = (spec: TableSpec) => spec.columns.map((c) => c.name);

const METRIC_TYPES: Record<string, SqlType> = {
  account_id: 'text',
  airbnb_listing_id: 'text',
  time: 'date',
  metric_date: 'date',
  window_start: 'date',
};

/** the columns of a metric table that are no metric (the rest `metrics=` selects from) */
const NOT_METRICS = new Set([
  'account_id',
  'time',
  'airbnb_listing_id',
  'airbnb_internal_name',
  'metric_date',
  'window_start',
  'window_end',
  'extra',
]);

function metricTable(name: string, spec: TableSpec, dateColumn: string): ReadTable {
  const columns = names(spec);
  return {
    name,
    relation: spec.table,
    columns,
    types: METRIC_TYPES,
    key: ['account_id', 'airbnb_listing_id', dateColumn, 'time'],
    account: 'account_id',
    listing: 'airbnb_listing_id',
    date: dateColumn,
    snapshot: true,
    metricColumns: columns.filter((c) => !NOT_METRICS.has(c)),
  };
}

/** `GET /api/v1/airbnb/metrics/:table`: one snapshot per scrape day (`snapshot`) */
export const AIRBNB_METRIC_READ_TABLES: readonly ReadTable[] = [
  metricTable('chart_query', chartQueryTable, 'metric_date'),
  metricTable('list_of_metrics', listOfMetricsTable, 'window_start'),
  metricTable('chart_summary', chartSummaryTable, 'window_start'),
];

/** `GET /api/v1/airbnb/listings` */
export const AIRBNB_LISTINGS_READ_TABLE: ReadTable = {
  name: 'airbnb_listings',
  relation: listingsTable.table,
  columns: [
    'account_id',
    'airbnb_listing_id',
    'airbnb_internal_name',
    'listing_name',
    'thumbnail_url',
    'last_seen_date',
    'created_at',
    'updated_at',
  ],
  types: { account_id: 'text', airbnb_listing_id: 'text' },
  key: ['account_id', 'airbnb_listing_id'],
  account: 'account_id',
  listing: 'airbnb_listing_id',
};

export const airbnbReadTables: readonly ReadTable[] = [
  ...AIRBNB_METRIC_READ_TABLES,
  AIRBNB_LISTINGS_READ_TABLE,
];

/** the metric snapshots age by scrape day (`RETENTION_METRICS_DAYS`); the listings are kept */
export const airbnbRetention: readonly RetainedTable[] = [
  chartQueryTable,
  listOfMetricsTable,
  chartSummaryTable,
].map((spec) => ({ table: spec.table, setting: 'metrics', timeColumn: 'time' }));
