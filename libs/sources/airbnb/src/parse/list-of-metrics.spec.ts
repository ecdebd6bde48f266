import { loadFixture, AIRBNB_FIXTURES } from '../../fixtures/load';
import { parseListOfMetrics } from './list-of-metrics';
import type { MetricParseContext } from './rows';

const ctx: MetricParseContext = {
  accountId: '123456789',
  listingId: '745515258634591476',
  internalName: '211 N Wilbur',
  scrapeDate: '2025-07-16',
  window: { start: '2025-07-06', end: '2025-07-12' },
  groupByValue: 'conversion_rate',
};

const fixture = () => loadFixture(AIRBNB_FIXTURES.listOfMetricsConversionRate);
const metricsOf = (body: ReturnType<typeof fixture>) =>
  body.data.porygon.getPerformanceComponents.components[0].metrics;

describe('ListOfMetricsQuery conversion_rate fixture (reference §9)', () => {
  it('is one row with the exact doubles and verbatim strings', () => {
    expect(parseListOfMetrics(fixture(), ctx)).toEqual({
      rows: {
        'airbnb.list_of_metrics': [
          {
            account_id: '123456789',
            time: '2025-07-16',
            airbnb_listing_id: '745515258634591476',
            airbnb_internal_name: '211 N Wilbur',
            window_start: '2025-07-06',
            window_end: '2025-07-12',
            conversion_rate_value: 0.0011021307861866275,
            conversion_rate_value_string: '0.11%',
            p2_impressions_first_page_rate_value: 0.6994221185452232,
            p2_impressions_first_page_rate_value_string: '69.9%',
            search_conversion_rate_value: 0.05633112907176096,
            search_conversion_rate_value_string: '5.63%',
            listing_conversion_rate_value: 0.01956521739130435,
            listing_conversion_rate_value_string: '1.96%',
          },
        ],
      },
      unknownMetrics: [],
    });
  });

  it('reads the p3_impressions card (longValue strings → integers)', () => {
    const body = fixture();
    body.data.porygon.getPerformanceComponents.components[0].metrics = [
      { metricName: 'p3_impressions', value: { longValue: '460' }, valueString: '460', valueChange: null },
      { metricName: 'p2_impressions', value: { longValue: '8166' }, valueString: '8,166', valueChange: null },
    ];
    const [row] = parseListOfMetrics(body, { ...ctx, groupByValue: 'p3_impressions' }).rows[
      'airbnb.list_of_metrics'
    ];
    expect(row).toMatchObject({
      p3_impressions_value: 460,
      p3_impressions_value_string: '460',
      p2_impressions_value: 8166,
      p2_impressions_value_string: '8,166',
    });
    expect(row).not.toHaveProperty('conversion_rate_value');
  });
});

describe('ListOfMetricsQuery unknown metrics and nulls', () => {
  it('keeps an unknown metric in extra and counts it', () => {
    const body = fixture();
    metricsOf(body).push({
      __typename: 'porygonPMetricUnit',
      value: { __typename: 'porygonDoubleWrapper', doubleValue: 0.5 },
      valueType: 'PERCENTAGE',
      valueString: '50%',
      metricName: 'wishlist_rate',
    });
    const result = parseListOfMetrics(body, ctx);
    expect(result.unknownMetrics).toEqual(['wishlist_rate']);
    const [row] = result.rows['airbnb.list_of_metrics'];
    expect(row.extra).toEqual({ wishlist_rate_value: 0.5, wishlist_rate_value_string: '50%' });
    expect(row.conversion_rate_value).toBe(0.0011021307861866275);
  });

  it('maps null and non-object value wrappers to null', () => {
    const body = fixture();
    metricsOf(body)[0].value = null;
    metricsOf(body)[1].value = 'oops';
    metricsOf(body)[2].value = { __typename: 'porygonDoubleWrapper', doubleValue: null };
    const [row] = parseListOfMetrics(body, ctx).rows['airbnb.list_of_metrics'];
    expect(row).toMatchObject({
      conversion_rate_value: null,
      conversion_rate_value_string: '0.11%',
      p2_impressions_first_page_rate_value: null,
      search_conversion_rate_value: null,
      listing_conversion_rate_value: 0.01956521739130435,
    });
  });

  it('skips null metric entries and yields no row without metrics', () => {
    const body = fixture();
    body.data.porygon.getPerformanceComponents.components[0].metrics = [null];
    expect(parseListOfMetrics(body, ctx).rows['airbnb.list_of_metrics']).toEqual([]);
  });

  it('a malformed metric unit is poison', () => {
    const body = fixture();
    metricsOf(body)[2] = 'conversion_rate';
    expect(() => parseListOfMetrics(body, ctx)).toThrow(/metrics\[2\] is not an object/);
  });
});
