import type { AirbnbOperationName } from './operations';
import {
  buildChartQueryPayload,
  buildListingsSectionPayload,
  buildListOfMetricsPayload,
  type AirbnbPayload,
  type MetricPayloadInput,
} from './payloads';
import type { AirbnbRequestVariables } from './request-variables';
import { planWindows, type PlanWindowsOptions, type Window } from './windows';

/** One (metricType, groupByValues[0]) combination to poll. */
export interface MetricSpec {
  metricType: string;
  groupByValue: string;
}

export interface AirbnbMetricSelection {
  chart: MetricSpec[];
  listOfMetrics: MetricSpec[];
}

/**
 * The combinations polled today (reference §4): ChartQuery+MARKET for `p3_impressions` only — the
 * `conversion_rate` chart is disabled upstream-side (its chart_query columns stay NULL) — and both
 * ListOfMetricsQuery cards. This is what gives the reference's 115 requests per listing on a first run.
 */
export const DEFAULT_AIRBNB_METRICS: Readonly<AirbnbMetricSelection> = Object.freeze({
  chart: [{ metricType: 'CONVERSION', groupByValue: 'p3_impressions' }],
  listOfMetrics: [
    { metricType: 'CONVERSION', groupByValue: 'conversion_rate' },
    { metricType: 'CONVERSION', groupByValue: 'p3_impressions' },
  ],
});

/** Every combination the tables have columns for, i.e. the defaults plus the disabled conversion_rate chart. */
export const ALL_AIRBNB_METRICS: Readonly<AirbnbMetricSelection> = Object.freeze({
  chart: [
    { metricType: 'CONVERSION', groupByValue: 'p3_impressions' },
    { metricType: 'CONVERSION', groupByValue: 'conversion_rate' },
  ],
  listOfMetrics: DEFAULT_AIRBNB_METRICS.listOfMetrics,
});

const METRIC_SPEC_PATTERN = /^([A-Z][A-Z0-9_]*):([a-z][a-z0-9_]*)$/;

/** `"CONVERSION:p3_impressions,CONVERSION:conversion_rate"` → MetricSpec[] (config format; "" → []). */
export function parseMetricList(text: string): MetricSpec[] {
  const specs = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map(parseMetricSpec);
  const seen = new Set<string>();
  for (const spec of specs) {
    const key = `${spec.metricType}:${spec.groupByValue}`;
    if (seen.has(key)) throw new Error(`duplicate metric "${key}" in metric list "${text}"`);
    seen.add(key);
  }
  return specs;
}

function parseMetricSpec(item: string): MetricSpec {
  const match = METRIC_SPEC_PATTERN.exec(item);
  if (!match) {
    throw new Error(
      `invalid metric "${item}": expected METRIC_TYPE:group_by_value, e.g. CONVERSION:p3_impressions`,
    );
  }
  return { metricType: match[1], groupByValue: match[2] };
}

export interface ListingRef {
  id: string;
  internalName: string | null;
}

interface RequestDescriptorBase {
  operation: AirbnbOperationName;
  metricType: string;
  groupByValue: string;
  payload: AirbnbPayload;
  /** stable per (request, scrape day); the caller prefixes the account id */
  requestKey: string;
  /** what goes into RawEnvelope.variables */
  variables: AirbnbRequestVariables;
}

export interface MetricRequest extends RequestDescriptorBase {
  operation: 'ChartQuery' | 'ListOfMetricsQuery';
  listingId: string;
  listingName: string | null;
  window: Window;
}

export interface ListingsRequest extends RequestDescriptorBase {
  operation: 'ListingsSectionQuery';
  listingId: null;
  listingName: null;
  window: null;
}

export type AirbnbRequestDescriptor = MetricRequest | ListingsRequest;

export interface PlanRequestsOptions extends Omit<PlanWindowsOptions, 'scrapeDay' | 'firstRun'> {
  listings: ListingRef[];
  scrapeDay: string;
  firstRun: boolean;
  metrics?: AirbnbMetricSelection;
}

/**
 * Every metric request of one sync, in the order they should run: listings by internalName; per listing,
 * each chart window for every chart metric, then each list-of-metrics window for every LoM metric.
 */
export function planRequests(options: PlanRequestsOptions): MetricRequest[] {
  const { listings, metrics = DEFAULT_AIRBNB_METRICS, ...windowOptions } = options;
  const windows = planWindows(windowOptions);
  return sortListings(listings).flatMap((listing) => [
    ...metricRequests('ChartQuery', listing, metrics.chart, windows.chart, options.scrapeDay),
    ...metricRequests(
      'ListOfMetricsQuery',
      listing,
      metrics.listOfMetrics,
      windows.listOfMetrics,
      options.scrapeDay,
    ),
  ]);
}

/** The single listings call made once per sync, before the metric requests. */
export function planListingsRequest(scrapeDay: string): ListingsRequest {
  const payload = buildListingsSectionPayload();
  const args = payload.variables.request.arguments as { metricType: string; groupByValues: string[] };
  const [groupByValue] = args.groupByValues;
  return {
    operation: 'ListingsSectionQuery',
    listingId: null,
    listingName: null,
    metricType: args.metricType,
    groupByValue,
    window: null,
    payload,
    requestKey: `airbnb:ListingsSectionQuery:${scrapeDay}`,
    variables: {
      listingName: null,
      metricType: args.metricType,
      groupByValue,
      relativeDsStart: null,
      relativeDsEnd: null,
    },
  };
}

export function metricRequestKey(input: {
  operation: MetricRequest['operation'];
  listingId: string;
  metricType: string;
  groupByValue: string;
  window: { start: string; end: string };
  scrapeDay: string;
}): string {
  const { operation, listingId, metricType, groupByValue, window, scrapeDay } = input;
  return `airbnb:${operation}:${listingId}:${metricType}:${groupByValue}:${window.start}:${window.end}:${scrapeDay}`;
}

/** Code-unit order (like Python's sorted), ties broken by id, so the order never depends on locale. */
export function sortListings(listings: ListingRef[]): ListingRef[] {
  const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...listings].sort(
    (a, b) => compare(a.internalName ?? '', b.internalName ?? '') || compare(a.id, b.id),
  );
}

const PAYLOAD_BUILDERS: Record<MetricRequest['operation'], (input: MetricPayloadInput) => AirbnbPayload> = {
  ChartQuery: buildChartQueryPayload,
  ListOfMetricsQuery: buildListOfMetricsPayload,
};

function metricRequests(
  operation: MetricRequest['operation'],
  listing: ListingRef,
  specs: MetricSpec[],
  windows: Window[],
  scrapeDay: string,
): MetricRequest[] {
  return windows.flatMap((window) =>
    specs.map((spec): MetricRequest => {
      const { metricType, groupByValue } = spec;
      const { relativeDsStart, relativeDsEnd } = window;
      return {
        operation,
        listingId: listing.id,
        listingName: listing.internalName,
        metricType,
        groupByValue,
        window,
        payload: PAYLOAD_BUILDERS[operation]({
          listingId: listing.id,
          metricType,
          groupByValue,
          relativeDsStart,
          relativeDsEnd,
        }),
        requestKey: metricRequestKey({
          operation,
          listingId: listing.id,
          metricType,
          groupByValue,
          window,
          scrapeDay,
        }),
        variables: {
          listingName: listing.internalName,
          metricType,
          groupByValue,
          relativeDsStart,
          relativeDsEnd,
        },
      };
    }),
  );
}
