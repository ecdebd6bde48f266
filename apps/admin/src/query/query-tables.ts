import { chartQueryTable, chartSummaryTable, listOfMetricsTable } from '@staysync/source-airbnb';

/** PostgreSQL type a filter or cursor value is cast to (values travel as text parameters). */
export type SqlType = 'text' | 'bigint' | 'date' | 'timestamptz' | 'uuid';

/**
 * A table the read API serves. Everything the SQL builder needs is data here: no route builds SQL.
 * Each filter names the index that serves it (see the migration `read_side_indexes` and docs/read-side.md).
 */
export interface QueryTable {
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

const names = (spec: { columns: Array<{ name: string }> }) => spec.columns.map((c) => c.name);

const METRIC_TYPES: Record<string, SqlType> = {
  account_id: 'text',
  airbnb_listing_id: 'text',
  time: 'date',
  metric_date: 'date',
  window_start: 'date',
};

function metricTable(
  name: string,
  spec: { table: string; columns: Array<{ name: string }> },
  dateColumn: string,
): QueryTable {
  const columns = names(spec);
  const fixed = new Set([
    'account_id',
    'time',
    'airbnb_listing_id',
    'airbnb_internal_name',
    'metric_date',
    'window_start',
    'window_end',
    'extra',
  ]);
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
    metricColumns: columns.filter((c) => !fixed.has(c)),
  };
}

export const METRIC_TABLES: Record<string, QueryTable> = {
  chart_query: metricTable('chart_query', chartQueryTable, 'metric_date'),
  list_of_metrics: metricTable('list_of_metrics', listOfMetricsTable, 'window_start'),
  chart_summary: metricTable('chart_summary', chartSummaryTable, 'window_start'),
};

export const AIRBNB_LISTINGS: QueryTable = {
  name: 'airbnb_listings',
  relation: 'airbnb.listings',
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

const HOSTAWAY_TYPES: Record<string, SqlType> = {
  id: 'bigint',
  account_id: 'bigint',
  listing_id: 'bigint',
  arrival_date: 'date',
  sent_at: 'timestamptz',
  status: 'text',
};

export const HOSTAWAY_TABLES: Record<string, QueryTable> = {
  listings: {
    name: 'hostaway_listings',
    relation: 'hostaway.listings',
    columns: [
      'id',
      'account_id',
      'name',
      'city',
      'country_code',
      'currency_code',
      'time_zone',
      'latest_activity_on',
      'raw_payload',
      'observed_at',
      'created_at',
      'updated_at',
    ],
    types: HOSTAWAY_TYPES,
    key: ['id'],
    account: 'account_id',
  },
  reservations: {
    name: 'hostaway_reservations',
    relation: 'hostaway.reservations',
    columns: [
      'id',
      'account_id',
      'listing_id',
      'channel_id',
      'channel_name',
      'status',
      'arrival_date',
      'departure_date',
      'cancelled_at',
      'upstream_updated_at',
      'raw_payload',
      'observed_at',
      'created_at',
      'updated_at',
    ],
    types: HOSTAWAY_TYPES,
    key: ['id'],
    account: 'account_id',
    listing: 'listing_id',
    date: 'arrival_date',
    status: 'status',
  },
  messages: {
    name: 'hostaway_messages',
    relation: 'hostaway.messages',
    columns: [
      'id',
      'account_id',
      'conversation_id',
      'reservation_id',
      'listing_id',
      'sent_at',
      'is_incoming',
      'status',
      'raw_payload',
      'observed_at',
      'created_at',
      'updated_at',
    ],
    types: HOSTAWAY_TYPES,
    key: ['id'],
    account: 'account_id',
    date: 'sent_at',
    status: 'status',
  },
};

/** Responses a job dead-lettered (ops.dead_lettered_responses), read per job through its primary key. */
export const DEAD_LETTERS: QueryTable = {
  name: 'dead_letters',
  relation: 'ops.dead_lettered_responses',
  columns: ['job_id', 'request_key', 'stage', 'reason', 'parser_version', 'created_at'],
  types: { job_id: 'uuid', request_key: 'text' },
  key: ['job_id', 'request_key'],
  job: 'job_id',
};
