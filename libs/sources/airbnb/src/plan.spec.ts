import {
  ALL_AIRBNB_METRICS,
  DEFAULT_AIRBNB_METRICS,
  parseMetricList,
  planListingsRequest,
  planRequests,
  sortListings,
} from './plan';
import { buildChartQueryPayload, buildListingsSectionPayload } from './payloads';

const listing = { id: '745515258634591476', internalName: '211 N Wilbur' };
const scrapeDay = '2025-07-16';

describe('planRequests — request counts (reference §3 "115 first run, 61 incremental")', () => {
  /*
   * The reference counts the combinations actually polled (§4): the ChartQuery conversion_rate card is
   * disabled, so per listing
   *   first run:   13 chart windows × 1 chart metric + 51 LoM windows × 2 LoM metrics = 13 + 102 = 115
   *   incremental:  7 chart windows × 1              + 27 LoM windows × 2             =  7 +  54 =  61
   * plus one ListingsSectionQuery per sync. Enabling the conversion_rate chart too (ALL_AIRBNB_METRICS)
   * adds 13 (first run) / 7 (incremental) requests.
   */
  it.each([
    ['first run, default metrics', true, DEFAULT_AIRBNB_METRICS, 115],
    ['incremental, default metrics', false, DEFAULT_AIRBNB_METRICS, 61],
    ['first run, both chart metrics', true, ALL_AIRBNB_METRICS, 128],
    ['incremental, both chart metrics', false, ALL_AIRBNB_METRICS, 68],
  ])('%s → %i per listing', (_name, firstRun, metrics, expected) => {
    expect(planRequests({ listings: [listing], scrapeDay, firstRun, metrics })).toHaveLength(expected);
    expect(
      planRequests({ listings: [listing, { id: '1', internalName: 'x' }], scrapeDay, firstRun, metrics }),
    ).toHaveLength(2 * expected);
  });

  it('uses DEFAULT_AIRBNB_METRICS when none are given', () => {
    expect(planRequests({ listings: [listing], scrapeDay, firstRun: true })).toHaveLength(115);
    expect(DEFAULT_AIRBNB_METRICS).toEqual({
      chart: [{ metricType: 'CONVERSION', groupByValue: 'p3_impressions' }],
      listOfMetrics: [
        { metricType: 'CONVERSION', groupByValue: 'conversion_rate' },
        { metricType: 'CONVERSION', groupByValue: 'p3_impressions' },
      ],
    });
  });
});

describe('planRequests — descriptors', () => {
  const requests = planRequests({
    listings: [listing],
    scrapeDay,
    firstRun: true,
    metrics: ALL_AIRBNB_METRICS,
  });

  it('describes the first chart request completely', () => {
    const window = { start: '2025-01-19', end: '2025-02-15', relativeDsStart: -175, relativeDsEnd: -148 };
    expect(requests[0]).toEqual({
      operation: 'ChartQuery',
      listingId: '745515258634591476',
      listingName: '211 N Wilbur',
      metricType: 'CONVERSION',
      groupByValue: 'p3_impressions',
      window,
      payload: buildChartQueryPayload({
        listingId: '745515258634591476',
        metricType: 'CONVERSION',
        groupByValue: 'p3_impressions',
        relativeDsStart: -175,
        relativeDsEnd: -148,
      }),
      requestKey:
        'airbnb:ChartQuery:745515258634591476:CONVERSION:p3_impressions:2025-01-19:2025-02-15:2025-07-16',
      variables: {
        listingName: '211 N Wilbur',
        metricType: 'CONVERSION',
        groupByValue: 'p3_impressions',
        relativeDsStart: -175,
        relativeDsEnd: -148,
      },
    });
  });

  it('runs every chart window (each metric) before the list-of-metrics windows', () => {
    expect(requests.slice(0, 3).map((r) => [r.operation, r.groupByValue, r.window.start])).toEqual([
      ['ChartQuery', 'p3_impressions', '2025-01-19'],
      ['ChartQuery', 'conversion_rate', '2025-01-19'],
      ['ChartQuery', 'p3_impressions', '2025-02-16'],
    ]);
    expect(requests[26]).toMatchObject({ operation: 'ListOfMetricsQuery', groupByValue: 'conversion_rate' });
    expect(requests[26].payload.operationName).toBe('ListOfMetricsQuery');
  });

  it('gives every request a unique key', () => {
    expect(new Set(requests.map((r) => r.requestKey)).size).toBe(requests.length);
  });

  it('orders listings by internalName (code-unit order, like Python sorted)', () => {
    const ordered = planRequests({
      listings: [
        { id: '3', internalName: 'b' },
        { id: '1', internalName: 'B' },
        { id: '2', internalName: 'a' },
      ],
      scrapeDay,
      firstRun: false,
    });
    expect([...new Set(ordered.map((r) => r.listingId))]).toEqual(['1', '2', '3']);
  });

  it('sortListings does not mutate its input and breaks ties by id', () => {
    const input = [
      { id: '9', internalName: 'same' },
      { id: '8', internalName: 'same' },
      { id: '7', internalName: null },
    ];
    expect(sortListings(input).map((l) => l.id)).toEqual(['7', '8', '9']);
    expect(input.map((l) => l.id)).toEqual(['9', '8', '7']);
  });
});

describe('planListingsRequest', () => {
  it('is one request per sync without listing, window or dates', () => {
    expect(planListingsRequest(scrapeDay)).toEqual({
      operation: 'ListingsSectionQuery',
      listingId: null,
      listingName: null,
      metricType: 'CONVERSION',
      groupByValue: 'occupancy_rate',
      window: null,
      payload: buildListingsSectionPayload(),
      requestKey: 'airbnb:ListingsSectionQuery:2025-07-16',
      variables: {
        listingName: null,
        metricType: 'CONVERSION',
        groupByValue: 'occupancy_rate',
        relativeDsStart: null,
        relativeDsEnd: null,
      },
    });
  });
});

describe('parseMetricList', () => {
  it('parses the config format', () => {
    expect(parseMetricList('CONVERSION:p3_impressions, CONVERSION:conversion_rate')).toEqual([
      { metricType: 'CONVERSION', groupByValue: 'p3_impressions' },
      { metricType: 'CONVERSION', groupByValue: 'conversion_rate' },
    ]);
  });

  it.each([[''], ['  '], [',']])('%j → no metrics', (text) => expect(parseMetricList(text)).toEqual([]));

  it.each([
    ['p3_impressions', /expected METRIC_TYPE:group_by_value/],
    ['CONVERSION:', /invalid metric/],
    ['conversion:p3_impressions', /invalid metric/],
    ['CONVERSION:p3 impressions', /invalid metric/],
    ['CONVERSION:p3_impressions,CONVERSION:p3_impressions', /duplicate metric "CONVERSION:p3_impressions"/],
  ])('rejects %j', (text, message) => {
    expect(() => parseMetricList(text)).toThrow(message);
  });
});
