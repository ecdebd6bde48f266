import type { AirbnbMetric, AirbnbMetricTable } from '@staysync/contracts';
import { airbnbMetricKey } from '@staysync/contracts';
import type { Row } from '@staysync/core';
import type { OutgoingMessage } from '@staysync/kafka';

const PUBLISHED_TABLES: Readonly<Record<string, AirbnbMetricTable>> = {
  'airbnb.chart_query': 'chart_query',
  'airbnb.list_of_metrics': 'list_of_metrics',
  'airbnb.chart_summary': 'chart_summary',
};

/** `airbnb.metrics.v1` messages for metric rows as stored after a load (listings are not metrics). */
export function airbnbMetricMessages(storedRows: Array<{ table: string; row: Row }>, loadedAt: Date): OutgoingMessage<'airbnb.metrics'>[] {
  const messages: OutgoingMessage<'airbnb.metrics'>[] = [];
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
