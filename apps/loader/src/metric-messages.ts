import type { AirbnbMetric, AirbnbMetricTable } from '@staysync/contracts';
import { airbnbMetricKey } from '@staysync/contracts';
import type { Row } from '@staysync/core';
import type { OutgoingMessage } from '@staysync/kafka';

const PUBLISHED_TABLES: Readonly<Record<string, AirbnbMetricTable>> = {
  'airbnb.chart_query': 'chart_query',
  'airbnb.list_of_metrics': 'list_of_metrics',
  'airbnb.chart_summary': 'chart_summary',
};

/** `airbnb.metrics.v1` messages for the loaded metric rows (listings are not metrics). */
export function airbnbMetricMessages(loadedRows: Array<{ table: string; row: Row }>, loadedAt: Date): OutgoingMessage<'airbnb.metrics'>[] {
  const messages: OutgoingMessage<'airbnb.metrics'>[] = [];
  for (const { table, row } of loadedRows) {
    const publishedTable = PUBLISHED_TABLES[table];
    if (!publishedTable) continue;
    const value: AirbnbMetric = {
      schemaVersion: 1,
      accountId: String(row.account_id),
      listingId: String(row.airbnb_listing_id),
      table: publishedTable,
      scrapeDate: String(row.time),
      date: String(publishedTable === 'chart_query' ? row.metric_date : row.window_start),
      row: withoutUndefined(row),
      loadedAt: loadedAt.toISOString(),
    };
    messages.push({ key: airbnbMetricKey(value), value });
  }
  return messages;
}

function withoutUndefined(row: Row): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== undefined));
}
