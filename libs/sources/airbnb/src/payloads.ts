import { AIRBNB_OPERATIONS, type AirbnbOperationName } from './operations';

/** Exact JSON body of a persisted-query POST (reference §1). */
export interface AirbnbPayload {
  operationName: AirbnbOperationName;
  locale: 'en';
  currency: 'USD';
  variables: {
    request: {
      clientName: string;
      arguments: Record<string, unknown>;
      useStubbedData: false;
    };
  };
  extensions: { persistedQuery: { version: 1; sha256Hash: string } };
}

export interface MetricPayloadInput {
  listingId: string;
  metricType: string;
  groupByValue: string;
  relativeDsStart: number;
  relativeDsEnd: number;
}

/** A UI constant the dashboard always sends. */
const GROUP_BYS = ['RATING_CATEGORY'];
const LISTINGS_METRIC_TYPE = 'CONVERSION';
const LISTINGS_GROUP_BY_VALUE = 'occupancy_rate';

export function buildListingsSectionPayload(): AirbnbPayload {
  return buildPayload('ListingsSectionQuery', {
    metricType: LISTINGS_METRIC_TYPE,
    groupBys: [...GROUP_BYS],
    groupByValues: [LISTINGS_GROUP_BY_VALUE],
  });
}

export function buildChartQueryPayload(input: MetricPayloadInput): AirbnbPayload {
  return buildPayload('ChartQuery', { ...metricArguments(input), metricComparisonType: 'MARKET' });
}

export function buildListOfMetricsPayload(input: MetricPayloadInput): AirbnbPayload {
  return buildPayload('ListOfMetricsQuery', metricArguments(input));
}

function metricArguments(input: MetricPayloadInput): Record<string, unknown> {
  return {
    relativeDsStart: input.relativeDsStart,
    relativeDsEnd: input.relativeDsEnd,
    filters: { listingIds: [input.listingId] },
    metricType: input.metricType,
    groupBys: [...GROUP_BYS],
    groupByValues: [input.groupByValue],
  };
}

function buildPayload(op: AirbnbOperationName, args: Record<string, unknown>): AirbnbPayload {
  const { operationName, clientName, sha256Hash } = AIRBNB_OPERATIONS[op];
  return {
    operationName,
    locale: 'en',
    currency: 'USD',
    variables: { request: { clientName, arguments: args, useStubbedData: false } },
    extensions: { persistedQuery: { version: 1, sha256Hash } },
  };
}
