import { AIRBNB_OPERATIONS, isAirbnbOperationName, operationPath } from './operations';
import { buildChartQueryPayload, buildListingsSectionPayload, buildListOfMetricsPayload } from './payloads';

const input = {
  listingId: '745515258634591476',
  metricType: 'CONVERSION',
  groupByValue: 'p3_impressions',
  relativeDsStart: -175,
  relativeDsEnd: -148,
};

describe('operations', () => {
  it.each([
    [
      'ListingsSectionQuery',
      '/api/v3/ListingsSectionQuery/7a646c07b45ad35335b2cde4842e5c5bf69ccebde508b2ba60276832bfb1816b',
    ],
    ['ChartQuery', '/api/v3/ChartQuery/aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5'],
    [
      'ListOfMetricsQuery',
      '/api/v3/ListOfMetricsQuery/b22a5ded5e6c6d168f1d224b78f34182e7366e5cc65203ec04f1e718286a09e1',
    ],
  ] as const)('operationPath(%s)', (op, path) => {
    expect(operationPath(op)).toBe(path);
  });

  it('knows exactly the three operations', () => {
    expect(Object.values(AIRBNB_OPERATIONS).map((o) => o.clientName)).toEqual([
      'web-performance-dash-listings',
      'web-performance-dash-chart',
      'web-performance-dash-metrics',
    ]);
    expect(isAirbnbOperationName('ChartQuery')).toBe(true);
    expect(isAirbnbOperationName('toString')).toBe(false);
  });
});

describe('payloads (exact JSON bodies)', () => {
  it('ListingsSectionQuery sends no dates and no filters', () => {
    expect(JSON.stringify(buildListingsSectionPayload())).toBe(
      JSON.stringify({
        operationName: 'ListingsSectionQuery',
        locale: 'en',
        currency: 'USD',
        variables: {
          request: {
            clientName: 'web-performance-dash-listings',
            arguments: {
              metricType: 'CONVERSION',
              groupBys: ['RATING_CATEGORY'],
              groupByValues: ['occupancy_rate'],
            },
            useStubbedData: false,
          },
        },
        extensions: {
          persistedQuery: {
            version: 1,
            sha256Hash: '7a646c07b45ad35335b2cde4842e5c5bf69ccebde508b2ba60276832bfb1816b',
          },
        },
      }),
    );
  });

  it('ChartQuery compares with the MARKET', () => {
    expect(JSON.stringify(buildChartQueryPayload(input))).toBe(
      JSON.stringify({
        operationName: 'ChartQuery',
        locale: 'en',
        currency: 'USD',
        variables: {
          request: {
            clientName: 'web-performance-dash-chart',
            arguments: {
              relativeDsStart: -175,
              relativeDsEnd: -148,
              filters: { listingIds: ['745515258634591476'] },
              metricType: 'CONVERSION',
              groupBys: ['RATING_CATEGORY'],
              groupByValues: ['p3_impressions'],
              metricComparisonType: 'MARKET',
            },
            useStubbedData: false,
          },
        },
        extensions: {
          persistedQuery: {
            version: 1,
            sha256Hash: 'aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5',
          },
        },
      }),
    );
  });

  it('ListOfMetricsQuery has no comparison', () => {
    expect(JSON.stringify(buildListOfMetricsPayload({ ...input, groupByValue: 'conversion_rate' }))).toBe(
      JSON.stringify({
        operationName: 'ListOfMetricsQuery',
        locale: 'en',
        currency: 'USD',
        variables: {
          request: {
            clientName: 'web-performance-dash-metrics',
            arguments: {
              relativeDsStart: -175,
              relativeDsEnd: -148,
              filters: { listingIds: ['745515258634591476'] },
              metricType: 'CONVERSION',
              groupBys: ['RATING_CATEGORY'],
              groupByValues: ['conversion_rate'],
            },
            useStubbedData: false,
          },
        },
        extensions: {
          persistedQuery: {
            version: 1,
            sha256Hash: 'b22a5ded5e6c6d168f1d224b78f34182e7366e5cc65203ec04f1e718286a09e1',
          },
        },
      }),
    );
  });

  it('keeps the listing id a string and shares no arrays between payloads', () => {
    const a = buildChartQueryPayload(input);
    const b = buildChartQueryPayload(input);
    (a.variables.request.arguments.groupBys as string[]).push('X');
    expect(b.variables.request.arguments.groupBys).toEqual(['RATING_CATEGORY']);
    expect(a.variables.request.arguments.filters).toEqual({ listingIds: ['745515258634591476'] });
  });
});
