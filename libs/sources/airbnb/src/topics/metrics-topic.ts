import type { PublishedMessage, PublishedTopic, StoredRow } from '@staysync/core';
import {
  airbnbMetricKey,
  airbnbMetricSchema,
  exampleAirbnbMetric,
  type AirbnbMetric,
  type AirbnbMetricTable,
} from './airbnb.metrics.v1';
import {
  MAX_ROWS_PER_MESSAGE,
  airbnbListingMetricsKey,
  airbnbListingMetricsSchema,
  exampleAirbnbListingMetrics,
  type AirbnbListingMetrics,
} from './airbnb.metrics.v2';

const DAY_MS = 86_400_000;

const PUBLISHED_TABLES: Readonly<Record<string, AirbnbMetricTable>> = {
  'airbnb.chart_query': 'chart_query',
  'airbnb.list_of_metrics': 'list_of_metrics',
  'airbnb.chart_summary': 'chart_summary',
};

/** `airbnb.metrics.v1` messages for metric rows as stored after a load (listings are not metrics). */
export function airbnbMetricMessages(
  storedRows: readonly StoredRow[],
  loadedAt: Date,
): PublishedMessage<AirbnbMetric>[] {
  const messages: PublishedMessage<AirbnbMetric>[] = [];
  for (const stored of storedRows) {
    const metric = metricOf(stored);
    if (!metric) continue;
    const value: AirbnbMetric = {
      schemaVersion: 1,
      accountId: metric.accountId,
      listingId: metric.listingId,
      table: metric.table,
      scrapeDate: metric.scrapeDate,
      date: metric.date,
      row: stored.row,
      loadedAt: loadedAt.toISOString(),
    };
    messages.push({ key: airbnbMetricKey(value), value });
  }
  return messages;
}

/**
 * `airbnb.metrics.v2` messages for the same rows: one per listing and table (more past
 * MAX_ROWS_PER_MESSAGE rows), the rows in the order they were stored.
 */
export function airbnbListingMetricsMessages(
  storedRows: readonly StoredRow[],
  loadedAt: Date,
): PublishedMessage<AirbnbListingMetrics>[] {
  const groups = new Map<string, AirbnbListingMetrics>();
  const messages: PublishedMessage<AirbnbListingMetrics>[] = [];
  for (const stored of storedRows) {
    const metric = metricOf(stored);
    if (!metric) continue;
    const group = `${metric.accountId}\u0000${metric.listingId}\u0000${metric.table}`;
    let value = groups.get(group);
    if (!value || value.rows.length >= MAX_ROWS_PER_MESSAGE) {
      value = {
        schemaVersion: 2,
        accountId: metric.accountId,
        listingId: metric.listingId,
        table: metric.table,
        loadedAt: loadedAt.toISOString(),
        rows: [],
      };
      groups.set(group, value);
      messages.push({ key: airbnbListingMetricsKey(value), value });
    }
    value.rows.push({ scrapeDate: metric.scrapeDate, date: metric.date, row: stored.row });
  }
  return messages;
}

interface MetricIdentity {
  accountId: string;
  listingId: string;
  table: AirbnbMetricTable;
  scrapeDate: string;
  date: string;
}

/** what both versions say of a stored row; none for tables that are not metrics */
function metricOf({ table, row }: StoredRow): MetricIdentity | undefined {
  const publishedTable = PUBLISHED_TABLES[table];
  if (!publishedTable) return undefined;
  return {
    accountId: String(row.account_id),
    listingId: String(row.airbnb_listing_id),
    table: publishedTable,
    scrapeDate: String(row.time),
    date: String(publishedTable === 'chart_query' ? row.metric_date : row.window_start),
  };
}

export const airbnbMetricsTopic: PublishedTopic<AirbnbMetric> = {
  id: 'airbnb.metrics',
  definition: {
    baseName: 'airbnb.metrics.v1',
    visibility: 'public',
    description: 'Normalized Airbnb metric rows, published after they were loaded.',
    key: 'accountId:listingId:date',
    schema: airbnbMetricSchema,
    partitions: 12,
    compression: 'gzip',
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * DAY_MS) },
    example: exampleAirbnbMetric,
  },
  messages: airbnbMetricMessages,
};

export const airbnbListingMetricsTopic: PublishedTopic<AirbnbListingMetrics> = {
  id: 'airbnb.metrics.v2',
  definition: {
    baseName: 'airbnb.metrics.v2',
    visibility: 'public',
    description:
      'Normalized Airbnb metric rows, published after they were loaded: one message per listing and table of a load (the rows of airbnb.metrics.v1, batched). Published when LOADER_PUBLISHED_TOPICS names it.',
    key: 'accountId:listingId',
    schema: airbnbListingMetricsSchema,
    partitions: 12,
    compression: 'gzip',
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * DAY_MS) },
    example: exampleAirbnbListingMetrics,
  },
  messages: airbnbListingMetricsMessages,
  publishedByDefault: false,
};
