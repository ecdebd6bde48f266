import type { AirbnbMetricTable } from '../airbnb.metrics.v1';
import schema from './schema.json';

export { schema as airbnbListingMetricsSchema };

/** a message carries at most this many rows (a larger load of one listing and table gives several) */
export const MAX_ROWS_PER_MESSAGE = 1000;

/** Value of `airbnb.metrics.v2` (mirrors ./schema.json). */
export interface AirbnbListingMetrics {
  schemaVersion: 2;
  accountId: string;
  listingId: string;
  table: AirbnbMetricTable;
  /** ISO-8601 */
  loadedAt: string;
  rows: Array<{
    /** YYYY-MM-DD */
    scrapeDate: string;
    /** metric date (chart_query) or window start, YYYY-MM-DD */
    date: string;
    /** the row as stored, column → value */
    row: Record<string, unknown>;
  }>;
}

/** `account:listing`: a listing's messages stay in order on one partition. */
export function airbnbListingMetricsKey(
  metrics: Pick<AirbnbListingMetrics, 'accountId' | 'listingId'>,
): string {
  return `${metrics.accountId}:${metrics.listingId}`;
}

export const exampleAirbnbListingMetrics: AirbnbListingMetrics = {
  schemaVersion: 2,
  accountId: 'acc-42',
  listingId: '12345678',
  table: 'chart_query',
  loadedAt: '2024-05-01T05:04:00.000Z',
  rows: [
    { scrapeDate: '2024-05-01', date: '2024-04-30', row: { p3_impressions: 118, conversion_rate: 0.021 } },
    { scrapeDate: '2024-05-01', date: '2024-05-01', row: { p3_impressions: 97, conversion_rate: 0.018 } },
  ],
};
