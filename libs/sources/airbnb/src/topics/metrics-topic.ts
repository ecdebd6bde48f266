import type { PublishedMessage, PublishedTopic, StoredRow } from '@staysync/core';
import {
  airbnbMetricKey,
  airbnbMetricSchema,
  exampleAirbnbMetric,
  type AirbnbMetric,
  type AirbnbMetricTable,
} from './airbnb.metrics.v1';

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
  for (const { table, row } of storedRows) {
    const publishedTable = PUBLISHED_TABLES[table];
    if (!publishedTable) continue;
    const value: AirbnbMetric = {
      schemaVersion: 1,
      accountId: String(row.account_id),
      listingId: String(row.airbnb_listing_id),
      table: publishedTable,
      scrapeDate: String(row.time),
      date: String(publishedTable === 'chart_query' ? row.metric_date : row.window_start),
      row,
      loadedAt: loadedAt.toISOString(),
    };
    messages.push({ key: airbnbMetricKey(value), value });
  }
  return messages;
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
