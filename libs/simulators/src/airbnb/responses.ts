import { addDays } from '@staysync/core';
import { conversionRates, type DailyFacts, type SimListing, simulateWindow, sumFacts } from './dataset';
import type { MetricGroup, MetricRequest } from './protocol';
import { SeededRandom } from './random';

/**
 * Response bodies with exactly the fixtures' shape (shared/fixtures/airbnb): same __typenames,
 * nesting, key order and `extensions.traceId`.
 */

export interface LongWrapper {
  __typename: 'porygonLongWrapper';
  /** a string: Airbnb serialises longs as strings */
  longValue: string;
}
export interface DoubleWrapper {
  __typename: 'porygonDoubleWrapper';
  doubleValue: number;
}
type ValueWrapper = LongWrapper | DoubleWrapper;
type ValueType = 'NUMBER' | 'PERCENTAGE';

export interface MetricUnit {
  __typename: 'porygonPMetricUnit';
  value: ValueWrapper;
  valueType: ValueType;
  valueChange: DoubleWrapper | null;
  valueChangeType: ValueType | null;
  valueString: string;
  currency: null;
  label: string | null;
  valueChangeString: string | null;
  metricName: string;
}

export interface DataPoint {
  __typename: 'porygonPDataPoint';
  ds: string;
  value: ValueWrapper;
  valueType: ValueType;
  valueString: string;
  label: string | null;
}

export interface InsightsResponse<TComponent> {
  data: {
    porygon: {
      __typename: 'porygonQuery';
      getPerformanceComponents: {
        __typename: 'porygonGetPerformanceComponentsResponse';
        components: TComponent[];
      };
    };
  };
  extensions: { traceId: string };
}

/** Reference §6, verbatim. */
export function authErrorBody() {
  return {
    errors: [
      {
        message: 'Please login to continue.',
        extensions: {
          errorType: 'authentication_required',
          errorClass: 'ServiceApiAuthenticationError',
          response: { statusCode: 401 },
        },
      },
    ],
    data: { porygon: { getPerformanceComponents: null } },
  };
}

/** HTTP 400 body: a GraphQL error in the same style as the auth error, with `data: null`. */
export function badRequestBody(message: string, errorType = 'bad_request') {
  return {
    errors: [
      {
        message,
        extensions: { errorType, errorClass: 'ServiceApiBadRequestError', response: { statusCode: 400 } },
      },
    ],
    data: null,
  };
}

/** A base64 16-byte id like upstream's, derived from the request so replies stay byte-identical. */
export function traceIdFor(key: string): string {
  return new SeededRandom(`trace:${key}`).bytes(16).toString('base64');
}

/** Airbnb's percentage strings: "0.11%", "5.63%", "69.9%", "-45.0%" (two decimals below 10%, else one). */
export function formatPercent(fraction: number): string {
  const percent = fraction * 100;
  return `${percent.toFixed(Math.abs(percent) >= 10 ? 1 : 2)}%`;
}

// ---------------------------------------------------------------- ListingsSectionQuery

export function listingsResponse(listings: readonly SimListing[], traceId: string) {
  return envelope(
    {
      __typename: 'porygonPPivotListingsSection',
      title: 'Listing overview',
      subtitle:
        'Compare 5-star ratings by listing, and we\u2019ll show you if ratings have changed since the previous month.',
      ratingSortBySelectors: [
        { __typename: 'porygonPRatingSortBySelector', label: 'Lowest', sortOrder: 'ASC', isActive: true },
        { __typename: 'porygonPRatingSortBySelector', label: 'Highest', sortOrder: 'DESC', isActive: false },
      ],
      tableHeaders: ['Listing name', 'Change', 'Rate'],
      tableRows: listings.map((listing) => ({
        __typename: 'porygonPListingMetric',
        id: listing.id,
        thumbnailUrl: listing.thumbnailUrl,
        metricUnit: occupancyUnit(listing.occupancy),
        listingName: listing.listingName,
        internalName: listing.internalName,
        summary: listing.summary,
      })),
      totalCount: listings.length,
      resultsCount: listings.length,
      componentName: 'PIVOT_LISTINGS_SECTION',
    },
    traceId,
  );
}

function occupancyUnit(occupancy: SimListing['occupancy']): MetricUnit {
  if (occupancy === null) {
    return {
      __typename: 'porygonPMetricUnit',
      value: double(0),
      valueType: 'PERCENTAGE',
      valueChange: null,
      valueChangeType: null,
      valueString: '-',
      currency: null,
      label: null,
      valueChangeString: null,
      metricName: 'occupancy_rate',
    };
  }
  return {
    __typename: 'porygonPMetricUnit',
    value: double(occupancy.value),
    valueType: 'PERCENTAGE',
    valueChange: double(occupancy.change),
    valueChangeType: 'PERCENTAGE',
    valueString: formatPercent(occupancy.value),
    currency: null,
    label: null,
    valueChangeString: formatPercent(occupancy.change),
    metricName: 'occupancy_rate',
  };
}

// ---------------------------------------------------------------- ChartQuery

interface ChartCopy {
  title: string;
  /** lower-case noun for the description and empty state */
  noun: string;
  primary: MetricName;
  secondaries: MetricName[];
  /** the daily value plotted for one side of the funnel */
  daily(facts: DailyFacts): number;
  /** the window value of the primary metric */
  total(facts: DailyFacts): number;
}

const CHARTS: Record<MetricGroup, ChartCopy> = {
  p3_impressions: {
    title: 'Total page views',
    noun: 'total page views',
    primary: 'p3_impressions',
    secondaries: ['p2_impressions'],
    daily: (f) => f.pageViews,
    total: (f) => f.pageViews,
  },
  // Upstream sample not captured (the pipeline disables this call); same shape, PERCENTAGE values.
  conversion_rate: {
    title: 'Overall conversion rate',
    noun: 'overall conversion rate',
    primary: 'conversion_rate',
    secondaries: ['search_conversion_rate', 'listing_conversion_rate'],
    daily: (f) => conversionRates(f).conversion_rate,
    total: (f) => conversionRates(f).conversion_rate,
  },
};

/**
 * Two series, one point per day of the window. The primary metric is the window value of
 * the "your" side (for page views: the sum of its points), valueChange = your − similar.
 */
export function chartResponse(accountId: string, request: MetricRequest, scrapeDay: string, traceId: string) {
  const chart = CHARTS[request.group];
  const days = simulateWindow(accountId, request.listingId, request.start, request.end);
  const your = sumFacts(days.map((d) => d.your));
  const similar = sumFacts(days.map((d) => d.similar));
  const yourTotal = chart.total(your);
  const change = yourTotal - chart.total(similar);
  const yourPoints = days.map((d) => dataPoint(chart.primary, d.date, chart.daily(d.your), 'Your listings'));
  const similarPoints = days.map((d) =>
    dataPoint(chart.primary, d.date, chart.daily(d.similar), 'Similar listings'),
  );
  const yourValues = days.map((d) => chart.daily(d.your));
  // In the captured sample minPoint/maxPoint carry a ds outside the window; keep that quirk.
  const extremesDs = addDays(scrapeDay, -3);

  return envelope(
    {
      __typename: 'porygonPPivotChartSection',
      title: chart.title,
      subtitle: 'Compare',
      comparisonTypeSelectors: [
        { __typename: 'porygonPComparisonTypeSelector', label: 'Over time', type: 'YOY', isActive: false },
        {
          __typename: 'porygonPComparisonTypeSelector',
          label: 'Similar listings',
          type: 'MARKET',
          isActive: true,
        },
      ],
      metricLineCharts: [
        {
          __typename: 'porygonPMetricLineChart',
          dataPoints: yourPoints,
          label: 'Your performance',
          granularity: 'DAY',
        },
        {
          __typename: 'porygonPMetricLineChart',
          dataPoints: similarPoints,
          label: 'Similar listings',
          granularity: 'DAY',
        },
      ],
      description: describeComparison(chart, change),
      link: {
        __typename: 'porygonPLink',
        url: 'https://www.airbnb.com/help/article/2652?locale=en',
        label: 'Learn how we compare listings',
      },
      componentName: 'PIVOT_CHART_SECTION',
      primaryMetric: metricUnit(chart.primary, yourTotal, change),
      secondaryMetrics: chart.secondaries.map((name) => metricUnit(name, windowValue(name, your))),
      minPoint: dataPoint(chart.primary, extremesDs, Math.min(...yourValues), null),
      maxPoint: dataPoint(chart.primary, extremesDs, Math.max(...yourValues), null),
      emptyState: {
        __typename: 'porygonPEmptyState',
        actionUrl: null,
        message: `Your ${chart.noun} will show here within 48 hours of your first booking.`,
      },
    },
    traceId,
  );
}

function describeComparison(chart: ChartCopy, change: number): string {
  const subject = `The ${chart.noun} for selected listings`;
  if (change === 0) return `${subject} is the same as similar listings in the area.`;
  const amount =
    METRICS[chart.primary].valueType === 'NUMBER'
      ? String(Math.abs(change))
      : formatPercent(Math.abs(change));
  return `${subject} is ${amount} ${change > 0 ? 'higher' : 'lower'} than similar listings in the area.`;
}

// ---------------------------------------------------------------- ListOfMetricsQuery

const LIST_OF_METRICS: Record<MetricGroup, MetricName[]> = {
  conversion_rate: [
    'conversion_rate',
    'p2_impressions_first_page_rate',
    'search_conversion_rate',
    'listing_conversion_rate',
  ],
  p3_impressions: ['p3_impressions', 'p2_impressions'],
};

/** The window values of the "your" side; valueChange is null like in the sample. */
export function listOfMetricsResponse(accountId: string, request: MetricRequest, traceId: string) {
  const days = simulateWindow(accountId, request.listingId, request.start, request.end);
  const your = sumFacts(days.map((d) => d.your));
  return envelope(
    {
      __typename: 'porygonPListOfMetricsSection',
      metrics: LIST_OF_METRICS[request.group].map((name) => metricUnit(name, windowValue(name, your))),
      componentName: 'LIST_OF_METRICS_SECTION',
    },
    traceId,
  );
}

// ---------------------------------------------------------------- metric units

const METRICS = {
  p3_impressions: { label: 'Total page views', valueType: 'NUMBER' },
  p2_impressions: { label: 'Total first-page search impressions', valueType: 'NUMBER' },
  conversion_rate: { label: 'Overall conversion rate', valueType: 'PERCENTAGE' },
  p2_impressions_first_page_rate: { label: 'First-page search impression rate', valueType: 'PERCENTAGE' },
  search_conversion_rate: { label: 'Search-to-listing conversion', valueType: 'PERCENTAGE' },
  listing_conversion_rate: { label: 'Listing-to-booking conversion', valueType: 'PERCENTAGE' },
} as const satisfies Record<string, { label: string; valueType: ValueType }>;

type MetricName = keyof typeof METRICS;

function windowValue(name: MetricName, facts: DailyFacts): number {
  switch (name) {
    case 'p3_impressions':
      return facts.pageViews;
    case 'p2_impressions':
      return facts.firstPageImpressions;
    default:
      return conversionRates(facts)[name];
  }
}

function metricUnit(name: MetricName, value: number, change: number | null = null): MetricUnit {
  const { label, valueType } = METRICS[name];
  return {
    __typename: 'porygonPMetricUnit',
    value: wrap(valueType, value),
    valueType,
    valueChange: change === null ? null : double(change),
    valueChangeType: valueType,
    valueString: display(valueType, value),
    currency: null,
    label,
    valueChangeString: change === null ? null : display(valueType, change),
    metricName: name,
  };
}

function dataPoint(metric: MetricName, ds: string, value: number, label: string | null): DataPoint {
  const { valueType } = METRICS[metric];
  return {
    __typename: 'porygonPDataPoint',
    ds,
    value: wrap(valueType, value),
    valueType,
    valueString: display(valueType, value),
    label,
  };
}

function wrap(valueType: ValueType, value: number): ValueWrapper {
  return valueType === 'NUMBER'
    ? { __typename: 'porygonLongWrapper', longValue: String(value) }
    : double(value);
}

function double(value: number): DoubleWrapper {
  return { __typename: 'porygonDoubleWrapper', doubleValue: value };
}

function display(valueType: ValueType, value: number): string {
  return valueType === 'NUMBER' ? String(value) : formatPercent(value);
}

function envelope<TComponent>(component: TComponent, traceId: string): InsightsResponse<TComponent> {
  return {
    data: {
      porygon: {
        __typename: 'porygonQuery',
        getPerformanceComponents: {
          __typename: 'porygonGetPerformanceComponentsResponse',
          components: [component],
        },
      },
    },
    extensions: { traceId },
  };
}
