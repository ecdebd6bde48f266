/** Upstream facts the simulator enforces (reference §1, §3). */

export type AirbnbOperation = 'ListingsSectionQuery' | 'ChartQuery' | 'ListOfMetricsQuery';

export interface PersistedQuery {
  sha256Hash: string;
  clientName: string;
  /** groupByValues[0] the simulator can answer */
  groupByValues: readonly string[];
  /** longest inclusive relativeDs window; null = the query takes no dates */
  maxWindowDays: number | null;
}

export const AIRBNB_PERSISTED_QUERIES: Readonly<Record<AirbnbOperation, PersistedQuery>> = {
  ListingsSectionQuery: {
    sha256Hash: '7a646c07b45ad35335b2cde4842e5c5bf69ccebde508b2ba60276832bfb1816b',
    clientName: 'web-performance-dash-listings',
    groupByValues: ['occupancy_rate'],
    maxWindowDays: null,
  },
  ChartQuery: {
    sha256Hash: 'aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5',
    clientName: 'web-performance-dash-chart',
    groupByValues: ['conversion_rate', 'p3_impressions'],
    maxWindowDays: 28,
  },
  ListOfMetricsQuery: {
    sha256Hash: 'b22a5ded5e6c6d168f1d224b78f34182e7366e5cc65203ec04f1e718286a09e1',
    clientName: 'web-performance-dash-metrics',
    groupByValues: ['conversion_rate', 'p3_impressions'],
    maxWindowDays: 7,
  },
};

export function isAirbnbOperation(name: string): name is AirbnbOperation {
  return Object.prototype.hasOwnProperty.call(AIRBNB_PERSISTED_QUERIES, name);
}

/** relativeDs = days(date − scrapeDay) + RELATIVE_DS_OFFSET */
export const RELATIVE_DS_OFFSET = 3;
/** the last date may be at most scrapeDay + 182 days, i.e. relativeDsEnd ≤ 185 */
export const MAX_METRIC_OFFSET_DAYS = 182;
export const MAX_RELATIVE_DS_END = MAX_METRIC_OFFSET_DAYS + RELATIVE_DS_OFFSET;

export type MetricGroup = 'conversion_rate' | 'p3_impressions';

/** A validated Chart/LoM request, with its window resolved to dates. */
export interface MetricRequest {
  operation: 'ChartQuery' | 'ListOfMetricsQuery';
  group: MetricGroup;
  listingId: string;
  relativeDsStart: number;
  relativeDsEnd: number;
  /** inclusive YYYY-MM-DD dates */
  start: string;
  end: string;
}
