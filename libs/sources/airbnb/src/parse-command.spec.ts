import { loadFixture, AIRBNB_FIXTURES, fixtureText } from '../fixtures/load';
import { AirbnbResponseError, buildEnvelope, buildParseOutput, parseWindowArgument } from './parse-command';

const chartInput = {
  operation: 'ChartQuery',
  listingId: '745515258634591476',
  listingName: '211 N Wilbur',
  metric: 'p3_impressions',
  window: '2025-01-12:2025-02-08',
  scrapeDate: '2025-07-16',
  body: loadFixture(AIRBNB_FIXTURES.chartP3Impressions),
};

describe('buildParseOutput', () => {
  it('ChartQuery → chart_query and chart_summary rows, the other tables empty', () => {
    const output = buildParseOutput(chartInput);
    expect(Object.keys(output)).toEqual(['chart_query', 'list_of_metrics', 'chart_summary', 'listings']);
    expect(output.chart_query).toHaveLength(28);
    expect(output.chart_query[0]).toEqual({
      account_id: 'cli',
      time: '2025-07-16',
      airbnb_listing_id: '745515258634591476',
      airbnb_internal_name: '211 N Wilbur',
      metric_date: '2025-01-12',
      p3_impressions_your_value: 15,
      p3_impressions_your_value_string: '15',
      p3_impressions_similar_value: 6,
      p3_impressions_similar_value_string: '6',
    });
    expect(output.chart_summary[0]).toMatchObject({ p3_impressions_value: 460, p2_impressions_value: 8166 });
    expect(output.list_of_metrics).toEqual([]);
    expect(output.listings).toEqual([]);
  });

  it('accepts the body as text and an account id', () => {
    const output = buildParseOutput({
      operation: 'ListOfMetricsQuery',
      listingId: '745515258634591476',
      metric: 'conversion_rate',
      window: '2025-07-06:2025-07-12',
      scrapeDate: '2025-07-16',
      body: fixtureText(AIRBNB_FIXTURES.listOfMetricsConversionRate),
      accountId: '123456789',
    });
    expect(output.list_of_metrics).toHaveLength(1);
    expect(output.list_of_metrics[0]).toMatchObject({
      account_id: '123456789',
      airbnb_internal_name: null,
      conversion_rate_value: 0.0011021307861866275,
    });
  });

  it('ListingsSectionQuery needs only the scrape date', () => {
    const output = buildParseOutput({
      operation: 'ListingsSectionQuery',
      scrapeDate: '2025-07-16',
      body: loadFixture(AIRBNB_FIXTURES.listingsSection),
    });
    expect(output.listings).toHaveLength(7);
  });

  it('builds the envelope the fetcher would publish', () => {
    expect(buildEnvelope(chartInput)).toMatchObject({
      source: 'airbnb',
      operation: 'ChartQuery',
      resourceId: '745515258634591476',
      requestKey:
        'airbnb:ChartQuery:745515258634591476:CONVERSION:p3_impressions:2025-01-12:2025-02-08:2025-07-16',
      variables: {
        listingName: '211 N Wilbur',
        metricType: 'CONVERSION',
        groupByValue: 'p3_impressions',
        relativeDsStart: -182,
        relativeDsEnd: -155,
      },
      window: { start: '2025-01-12', end: '2025-02-08' },
      httpStatus: 200,
    });
  });

  it.each([
    ['an unknown operation', { operation: 'Nope' }, /unknown operation "Nope"/],
    ['ChartQuery without metric', { metric: undefined }, /--metric is required/],
    ['without listing id', { listingId: undefined }, /--listing-id is required/],
    ['a bad window', { window: '2025-01-12..2025-02-08' }, /invalid window/],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => buildParseOutput({ ...chartInput, ...overrides })).toThrow(message);
  });
});

describe('parseWindowArgument', () => {
  it('splits start:end', () =>
    expect(parseWindowArgument('2025-01-12:2025-02-08')).toEqual({ start: '2025-01-12', end: '2025-02-08' }));
});

describe('assertUsableResponse (parse on error bodies)', () => {
  const parse = (body: string) => () =>
    buildParseOutput({ operation: 'ListingsSectionQuery', scrapeDate: '2025-07-16', body });

  it.each([
    [
      'the §6 auth body (errorType authentication_required)',
      '{"errors":[{"message":"Please login to continue.","extensions":{"errorType":"authentication_required"}}],"data":{"porygon":{"getPerformanceComponents":null}}}',
      'authentication failure: the session cookie was rejected (Please login to continue.): no rows',
    ],
    [
      'an explicit null getPerformanceComponents, data otherwise fine',
      '{"data":{"porygon":{"getPerformanceComponents":null}}}',
      'authentication failure: the session cookie was rejected (getPerformanceComponents is null): no rows',
    ],
    [
      'no data',
      '{"errors":[{"message":"PersistedQueryNotFound"}]}',
      'the response has no data (errors: PersistedQueryNotFound): no rows',
    ],
    [
      'an HTML page',
      '<html><title>Access Denied</title></html>',
      'the response is not JSON (an HTML edge block or error page?): no rows',
    ],
  ])('%s → AirbnbResponseError', (_what, body, message) => {
    expect(parse(body)).toThrow(AirbnbResponseError);
    expect(parse(body)).toThrow(message);
  });
});
