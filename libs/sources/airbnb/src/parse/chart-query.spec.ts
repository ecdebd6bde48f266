import { loadFixture, AIRBNB_FIXTURES } from '../../fixtures/load';
import { AIRBNB_KNOWN_METRIC_COLUMNS } from '../tables';
import { decodeChartQuery, parseChartQuery, seriesOf } from './chart-query';
import type { MetricParseContext } from './rows';

const ctx: MetricParseContext = {
  accountId: '123456789',
  listingId: '745515258634591476',
  internalName: '211 N Wilbur',
  scrapeDate: '2025-07-16',
  window: { start: '2025-01-12', end: '2025-02-08' },
  groupByValue: 'p3_impressions',
};

const fixture = () => loadFixture(AIRBNB_FIXTURES.chartP3Impressions);
const component = (body: ReturnType<typeof fixture>) =>
  body.data.porygon.getPerformanceComponents.components[0];

describe('ChartQuery p3_impressions fixture (reference §9)', () => {
  const result = parseChartQuery(fixture(), ctx);
  const rows = result.rows['airbnb.chart_query'];
  const byDate = new Map(rows.map((row) => [row.metric_date, row]));

  it('2 charts × 28 points → 28 rows, one per date, sorted', () => {
    expect(rows).toHaveLength(28);
    expect(rows[0].metric_date).toBe('2025-01-12');
    expect(rows[27].metric_date).toBe('2025-02-08');
    expect(result.unknownMetrics).toEqual([]);
  });

  it.each([
    ['2025-01-12', 15, '15', 6, '6'],
    ['2025-01-13', 14, '14', 5, '5'],
    ['2025-01-14', 15, '15', 6, '6'],
    ['2025-02-08', 12, '12', 12, '12'],
  ])('%s: your %i %j, similar %i %j', (date, your, yourString, similar, similarString) => {
    expect(byDate.get(date)).toEqual({
      account_id: '123456789',
      time: '2025-07-16',
      airbnb_listing_id: '745515258634591476',
      airbnb_internal_name: '211 N Wilbur',
      metric_date: date,
      p3_impressions_your_value: your,
      p3_impressions_your_value_string: yourString,
      p3_impressions_similar_value: similar,
      p3_impressions_similar_value_string: similarString,
    });
  });

  it('carries no conversion_rate keys (merge-present keeps the other chart metric intact)', () => {
    for (const row of rows)
      expect(Object.keys(row).filter((k) => k.startsWith('conversion_rate'))).toEqual([]);
  });

  it('the "your" sum is 460 (= primary value) and the "similar" sum 238 (460 − 238 = valueChange 222)', () => {
    const sum = (column: string) => rows.reduce((total, row) => total + (row[column] as number), 0);
    expect(sum('p3_impressions_your_value')).toBe(460);
    expect(sum('p3_impressions_similar_value')).toBe(238);
  });

  it('summarises the window in one chart_summary row', () => {
    expect(result.rows['airbnb.chart_summary']).toEqual([
      {
        account_id: '123456789',
        time: '2025-07-16',
        airbnb_listing_id: '745515258634591476',
        airbnb_internal_name: '211 N Wilbur',
        window_start: '2025-01-12',
        window_end: '2025-02-08',
        p3_impressions_value: 460,
        p3_impressions_value_string: '460',
        p3_impressions_value_change: 222,
        p3_impressions_value_change_string: '222',
        p2_impressions_value: 8166,
        p2_impressions_value_string: '8166',
      },
    ]);
  });
});

describe('ChartQuery column naming and merging', () => {
  it('names columns after the REQUEST groupByValue, not the response metricName', () => {
    const rows = parseChartQuery(fixture(), { ...ctx, groupByValue: 'conversion_rate' }).rows[
      'airbnb.chart_query'
    ];
    expect(Object.keys(rows[0])).toEqual(
      expect.arrayContaining(['conversion_rate_your_value', 'conversion_rate_similar_value_string']),
    );
    expect(Object.keys(rows[0]).some((k) => k.startsWith('p3_impressions'))).toBe(false);
  });

  it.each([
    ['Your performance', 'your'],
    ['YOUR LISTINGS', 'your'],
    ['Similar listings', 'similar'],
    ['Market', 'similar'],
    [null, 'similar'],
  ])('chart label %j → %s', (label, series) => expect(seriesOf(label)).toBe(series));

  it('merges points of the same date; the last one wins', () => {
    const body = fixture();
    const [yours] = component(body).metricLineCharts;
    yours.dataPoints.push({ ds: '2025-01-12', value: { longValue: '99' }, valueString: '99' });
    const rows = parseChartQuery(body, ctx).rows['airbnb.chart_query'];
    expect(rows).toHaveLength(28);
    expect(rows[0]).toMatchObject({
      p3_impressions_your_value: 99,
      p3_impressions_your_value_string: '99',
      p3_impressions_similar_value: 6,
    });
  });

  it('a row only carries the series present for its date', () => {
    const body = fixture();
    component(body).metricLineCharts[1].dataPoints.push({
      ds: '2025-02-09',
      value: { longValue: '3' },
      valueString: '3',
    });
    const rows = parseChartQuery(body, ctx).rows['airbnb.chart_query'];
    expect(rows[28]).toEqual({
      account_id: '123456789',
      time: '2025-07-16',
      airbnb_listing_id: '745515258634591476',
      airbnb_internal_name: '211 N Wilbur',
      metric_date: '2025-02-09',
      p3_impressions_similar_value: 3,
      p3_impressions_similar_value_string: '3',
    });
  });

  it('orders metric columns as first seen in the response (rows are printed as JSON)', () => {
    const body = fixture();
    component(body).metricLineCharts.reverse();
    const [first] = parseChartQuery(body, ctx).rows['airbnb.chart_query'];
    expect(Object.keys(first)).toEqual([
      'account_id',
      'time',
      'airbnb_listing_id',
      'airbnb_internal_name',
      'metric_date',
      'p3_impressions_similar_value',
      'p3_impressions_similar_value_string',
      'p3_impressions_your_value',
      'p3_impressions_your_value_string',
    ]);
  });

  it('null value wrappers become null values, strings stay verbatim', () => {
    const body = fixture();
    const [yours, similar] = component(body).metricLineCharts;
    yours.dataPoints[0].value = null;
    yours.dataPoints[0].valueString = '-';
    similar.dataPoints[0].value = { __typename: 'porygonLongWrapper', longValue: null };
    component(body).primaryMetric.valueChange = null;
    const result = parseChartQuery(body, ctx);
    expect(result.rows['airbnb.chart_query'][0]).toMatchObject({
      p3_impressions_your_value: null,
      p3_impressions_your_value_string: '-',
      p3_impressions_similar_value: null,
      p3_impressions_similar_value_string: '6',
    });
    expect(result.rows['airbnb.chart_summary'][0]).toMatchObject({ p3_impressions_value_change: null });
  });
});

describe('ChartQuery unknown metrics go to extra and are reported', () => {
  it('keeps an unknown secondary metric in extra', () => {
    const body = fixture();
    component(body).secondaryMetrics.push({
      metricName: 'p4_wishlists',
      value: { longValue: '12' },
      valueString: '12',
      valueChange: null,
      valueChangeString: null,
    });
    const result = parseChartQuery(body, ctx);
    expect(result.unknownMetrics).toEqual(['p4_wishlists']);
    expect(result.rows['airbnb.chart_summary'][0]).toMatchObject({
      p2_impressions_value: 8166,
      extra: { p4_wishlists_value: 12, p4_wishlists_value_string: '12' },
    });
    expect(result.rows['airbnb.chart_query'][0]).not.toHaveProperty('extra');
  });

  it('puts extra last, after the known columns, whatever the order of the metrics', () => {
    const body = fixture();
    component(body).secondaryMetrics.unshift({ metricName: 'p4_wishlists', value: null, valueString: '-' });
    const [summary] = parseChartQuery(body, ctx).rows['airbnb.chart_summary'];
    expect(Object.keys(summary).slice(6)).toEqual([
      'p3_impressions_value',
      'p3_impressions_value_string',
      'p3_impressions_value_change',
      'p3_impressions_value_change_string',
      'p2_impressions_value',
      'p2_impressions_value_string',
      'extra',
    ]);
    expect(summary.extra).toEqual({ p4_wishlists_value: null, p4_wishlists_value_string: '-' });
  });

  it('keeps the daily points of an unknown charted metric in extra', () => {
    const result = parseChartQuery(fixture(), { ...ctx, groupByValue: 'nights_booked' });
    expect(result.unknownMetrics).toEqual(['nights_booked']);
    const [first] = result.rows['airbnb.chart_query'];
    expect(first).toEqual({
      account_id: '123456789',
      time: '2025-07-16',
      airbnb_listing_id: '745515258634591476',
      airbnb_internal_name: '211 N Wilbur',
      metric_date: '2025-01-12',
      extra: {
        nights_booked_your_value: 15,
        nights_booked_your_value_string: '15',
        nights_booked_similar_value: 6,
        nights_booked_similar_value_string: '6',
      },
    });
  });

  it('only ever emits known columns outside extra', () => {
    const known = new Set([...AIRBNB_KNOWN_METRIC_COLUMNS['airbnb.chart_summary'], 'extra']);
    const keys = Object.keys(parseChartQuery(fixture(), ctx).rows['airbnb.chart_summary'][0]).slice(6);
    for (const key of keys) expect(known.has(key)).toBe(true);
  });
});

describe('ChartQuery empty and malformed responses', () => {
  it('explicitly empty components yield no rows', () => {
    expect(
      parseChartQuery({ data: { porygon: { getPerformanceComponents: { components: [] } } } }, ctx).rows,
    ).toEqual({
      'airbnb.chart_query': [],
      'airbnb.chart_summary': [],
    });
  });

  it('a chart component with empty charts and no metric units yields no rows', () => {
    const body = fixture();
    component(body).metricLineCharts = [];
    component(body).primaryMetric = null;
    component(body).secondaryMetrics = [];
    expect(parseChartQuery(body, ctx).rows).toEqual({ 'airbnb.chart_query': [], 'airbnb.chart_summary': [] });
  });

  it('a missing porygon is shape drift, not an empty response', () => {
    expect(() => parseChartQuery({ data: { porygon: null } }, ctx)).toThrow(
      'malformed Airbnb response: data.porygon is missing',
    );
  });

  it('no metric units → no summary row', () => {
    const body = fixture();
    component(body).primaryMetric = null;
    component(body).secondaryMetrics = null;
    expect(parseChartQuery(body, ctx).rows['airbnb.chart_summary']).toEqual([]);
    expect(decodeChartQuery(body)?.primaryMetric).toBeNull();
  });

  it.each([
    [
      'metricLineCharts missing (renamed upstream)',
      (c: Record<string, unknown>) => delete c.metricLineCharts,
      /malformed Airbnb response: metricLineCharts is missing/,
    ],
    [
      'metricLineCharts not an array',
      (c: Record<string, unknown>) => (c.metricLineCharts = 'x'),
      /metricLineCharts is not an array/,
    ],
    [
      'a point without ds',
      (c: { metricLineCharts: { dataPoints: Record<string, unknown>[] }[] }) =>
        delete c.metricLineCharts[0].dataPoints[3].ds,
      /metricLineCharts\[0\]\.dataPoints\[3\]\.ds is not a YYYY-MM-DD string/,
    ],
    [
      'an invalid ds',
      (c: { metricLineCharts: { dataPoints: Record<string, unknown>[] }[] }) =>
        (c.metricLineCharts[1].dataPoints[0].ds = '2025-02-30'),
      /ds is not a valid YYYY-MM-DD date/,
    ],
  ])('%s → PoisonMessageError', (_name, mutate, message) => {
    const body = fixture();

    mutate(component(body));
    expect(() => parseChartQuery(body, ctx)).toThrow(message);
  });
});
