import schema from './schema.json';

export { schema as airbnbMetricSchema };

export type AirbnbMetricTable = 'chart_query' | 'list_of_metrics' | 'chart_summary';

/** Value of `airbnb.metrics.v1` (mirrors ./schema.json). */
export interface AirbnbMetric {
  schemaVersion: 1;
  accountId: string;
  listingId: string;
  table: AirbnbMetricTable;
  /** YYYY-MM-DD */
  scrapeDate: string;
  /** metric date (chart_query) or window start, YYYY-MM-DD */
  date: string;
  /** the row as stored, column → value */
  row: Record<string, unknown>;
  /** ISO-8601 */
  loadedAt: string;
}

/** `account:listing:date`. */
export function airbnbMetricKey(metric: Pick<AirbnbMetric, 'accountId' | 'listingId' | 'date'>): string {
  return `${metric.accountId}:${metric.listingId}:${metric.date}`;
}

export const exampleAirbnbMetric: AirbnbMetric = {
  schemaVersion: 1,
  accountId: 'acc-42',
  listingId: '12345678',
  table: 'chart_query',
  scrapeDate: '2024-05-01',
  date: '2024-04-30',
  row: { p3_impressions: 118, conversion_rate: 0.021 },
  loadedAt: '2024-05-01T05:04:00.000Z',
};
