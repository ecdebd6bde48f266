import { PoisonMessageError, currentParser, type RawEnvelope } from '@staysync/core';
import { loadFixture, AIRBNB_FIXTURES } from '../fixtures/load';
import { parserV1 } from './parser.v1';
import type { AirbnbRequestVariables } from './request-variables';
import { airbnbSource } from './source';

const AUTH_ERROR_BODY = {
  errors: [{ message: 'Please login to continue.', extensions: { errorType: 'authentication_required' } }],
  data: { porygon: { getPerformanceComponents: null } },
};

const variables: AirbnbRequestVariables = {
  listingName: '211 N Wilbur',
  metricType: 'CONVERSION',
  groupByValue: 'p3_impressions',
  relativeDsStart: -182,
  relativeDsEnd: -155,
};

function chartEnvelope(overrides: Partial<RawEnvelope> = {}): RawEnvelope {
  return {
    schemaVersion: 1,
    jobId: 'job-1',
    source: 'airbnb',
    accountId: '123456789',
    operation: 'ChartQuery',
    resourceId: '745515258634591476',
    requestKey:
      '123456789:airbnb:ChartQuery:745515258634591476:CONVERSION:p3_impressions:2025-01-12:2025-02-08:2025-07-16',
    variables,
    window: { start: '2025-01-12', end: '2025-02-08' },
    scrapeDate: '2025-07-16',
    fetchedAt: '2025-07-16T05:01:02.000Z',
    httpStatus: 200,
    body: loadFixture(AIRBNB_FIXTURES.chartP3Impressions),
    ...overrides,
  };
}

describe('parserV1 dispatch', () => {
  it('is the current parser of the airbnb source', () => {
    expect(currentParser(airbnbSource)).toBe(parserV1);
    expect(parserV1.version).toBe(1);
  });

  it('ChartQuery → chart_query + chart_summary with account_id from the envelope', () => {
    const { rows, unknownMetrics } = parserV1.parse(chartEnvelope());
    expect(Object.keys(rows)).toEqual(['airbnb.chart_query', 'airbnb.chart_summary']);
    expect(rows['airbnb.chart_query']).toHaveLength(28);
    expect(rows['airbnb.chart_query'][0]).toMatchObject({
      account_id: '123456789',
      airbnb_internal_name: '211 N Wilbur',
    });
    expect(rows['airbnb.chart_summary']).toHaveLength(1);
    expect(unknownMetrics).toEqual([]);
  });

  it('ListOfMetricsQuery → list_of_metrics over the envelope window', () => {
    const { rows } = parserV1.parse(
      chartEnvelope({
        operation: 'ListOfMetricsQuery',
        variables: { ...variables, groupByValue: 'conversion_rate' },
        window: { start: '2025-07-06', end: '2025-07-12' },
        body: loadFixture(AIRBNB_FIXTURES.listOfMetricsConversionRate),
      }),
    );
    expect(rows['airbnb.list_of_metrics']).toHaveLength(1);
    expect(rows['airbnb.list_of_metrics'][0]).toMatchObject({
      window_start: '2025-07-06',
      window_end: '2025-07-12',
    });
  });

  it('ListingsSectionQuery → listings (no resource id, window or listing variables needed)', () => {
    const { rows } = parserV1.parse(
      chartEnvelope({
        operation: 'ListingsSectionQuery',
        resourceId: null,
        window: null,
        variables: {},
        body: loadFixture(AIRBNB_FIXTURES.listingsSection),
      }),
    );
    expect(rows['airbnb.listings']).toHaveLength(7);
  });

  it('a missing listingName gives a null airbnb_internal_name', () => {
    const { rows } = parserV1.parse(chartEnvelope({ variables: { groupByValue: 'p3_impressions' } }));
    expect(rows['airbnb.chart_query'][0].airbnb_internal_name).toBeNull();
  });
});

describe('parserV1 error bodies yield zero rows', () => {
  it.each([
    ['auth error on HTTP 200', { body: AUTH_ERROR_BODY }],
    ['HTTP 401', { httpStatus: 401, body: '' }],
    ['HTTP 429 with an HTML body', { httpStatus: 429, body: '<html>slow down</html>' }],
    ['HTTP 503 with null body', { httpStatus: 503, body: null }],
    ['data null with errors', { body: { data: null, errors: [{ message: 'boom' }] } }],
  ])('%s', (_name, overrides) => {
    expect(parserV1.parse(chartEnvelope(overrides as Partial<RawEnvelope>))).toEqual({
      rows: { 'airbnb.chart_query': [], 'airbnb.chart_summary': [] },
      unknownMetrics: [],
    });
  });
});

describe('parserV1 malformed input throws PoisonMessageError', () => {
  it.each([
    ['unknown operation', { operation: 'StaysSearch' }, /unknown operation "StaysSearch"/],
    ['another source', { source: 'hostaway' }, /source is "hostaway"/],
    ['missing accountId', { accountId: '' }, /accountId is missing/],
    ['invalid scrapeDate', { scrapeDate: '16/07/2025' }, /scrapeDate is not a YYYY-MM-DD date/],
    ['missing resourceId', { resourceId: null }, /resourceId \(listing id\) is missing/],
    ['missing window', { window: null }, /window is missing/],
    [
      'invalid window end',
      { window: { start: '2025-01-12', end: 'soon' } },
      /window.end is not a YYYY-MM-DD date/,
    ],
    [
      'ChartQuery without groupByValue',
      { variables: { listingName: 'x' } },
      /variables.groupByValue is required for ChartQuery/,
    ],
    [
      'listingName not a string',
      { variables: { ...variables, listingName: 42 } },
      /variables.listingName is not a string/,
    ],
    ['non-integer httpStatus', { httpStatus: '200' }, /httpStatus is not an integer/],
    [
      'body is a string on HTTP 200',
      { body: '<html>' },
      /malformed Airbnb response: body is not a JSON object/,
    ],
    [
      'components is not an array',
      { body: { data: { porygon: { getPerformanceComponents: { components: 'x' } } } } },
      /components is not an array/,
    ],
    [
      'porygon null, no errors (shape drift)',
      { body: { data: { porygon: null } } },
      /malformed Airbnb response: data.porygon is missing/,
    ],
    [
      'an unknown field under porygon instead of getPerformanceComponents',
      { body: { data: { porygon: { getPerformanceInsights: { components: [] } } } } },
      /malformed Airbnb response: data.porygon.getPerformanceComponents is missing/,
    ],
    [
      'a ListOfMetrics body in a ChartQuery envelope',
      { body: loadFixture(AIRBNB_FIXTURES.listOfMetricsConversionRate) },
      /componentName is LIST_OF_METRICS_SECTION, expected PIVOT_CHART_SECTION/,
    ],
  ])('%s', (_name, overrides, message) => {
    const envelope = chartEnvelope(overrides as Partial<RawEnvelope>);
    expect(() => parserV1.parse(envelope)).toThrow(PoisonMessageError);
    expect(() => parserV1.parse(envelope)).toThrow(message);
  });
});
