import { AIRBNB_KNOWN_METRIC_COLUMNS, AIRBNB_TABLES, airbnbTables } from './tables';

const spec = (table: string) => {
  const found = airbnbTables.find((t) => t.table === table);
  if (!found) throw new Error(`no table ${table}`);
  return found;
};
const columns = (table: string) => Object.fromEntries(spec(table).columns.map((c) => [c.name, c.type]));

describe('airbnb table specs', () => {
  it('declares the four tables, listings loading first, all merge-present', () => {
    expect(airbnbTables.map((t) => t.table)).toEqual(Object.values(AIRBNB_TABLES));
    const listingsOrder = spec('airbnb.listings').order ?? 0;
    for (const table of airbnbTables.filter((t) => t.table !== 'airbnb.listings')) {
      expect(table.order).toBeGreaterThan(listingsOrder);
    }
    for (const table of airbnbTables) expect(table.mode).toBe('merge-present');
  });

  it.each([
    ['airbnb.listings', ['account_id', 'airbnb_listing_id']],
    ['airbnb.chart_query', ['account_id', 'airbnb_listing_id', 'metric_date', 'time']],
    ['airbnb.list_of_metrics', ['account_id', 'airbnb_listing_id', 'window_start', 'time']],
    ['airbnb.chart_summary', ['account_id', 'airbnb_listing_id', 'window_start', 'time']],
  ])('%s conflict key', (table, key) => {
    expect(spec(table).conflictKey).toEqual(key);
    for (const column of key) expect(columns(table)).toHaveProperty(column);
  });

  it('chart_query columns and PG types', () => {
    expect(columns('airbnb.chart_query')).toEqual({
      account_id: 'text',
      time: 'date',
      airbnb_listing_id: 'text',
      airbnb_internal_name: 'text',
      metric_date: 'date',
      conversion_rate_your_value: 'float8',
      conversion_rate_your_value_string: 'text',
      conversion_rate_similar_value: 'float8',
      conversion_rate_similar_value_string: 'text',
      p3_impressions_your_value: 'int8',
      p3_impressions_your_value_string: 'text',
      p3_impressions_similar_value: 'int8',
      p3_impressions_similar_value_string: 'text',
      extra: 'jsonb',
    });
  });

  it('list_of_metrics columns and PG types', () => {
    expect(columns('airbnb.list_of_metrics')).toEqual({
      account_id: 'text',
      time: 'date',
      airbnb_listing_id: 'text',
      airbnb_internal_name: 'text',
      window_start: 'date',
      window_end: 'date',
      conversion_rate_value: 'float8',
      conversion_rate_value_string: 'text',
      p2_impressions_first_page_rate_value: 'float8',
      p2_impressions_first_page_rate_value_string: 'text',
      search_conversion_rate_value: 'float8',
      search_conversion_rate_value_string: 'text',
      listing_conversion_rate_value: 'float8',
      listing_conversion_rate_value_string: 'text',
      p3_impressions_value: 'int8',
      p3_impressions_value_string: 'text',
      p2_impressions_value: 'int8',
      p2_impressions_value_string: 'text',
      extra: 'jsonb',
    });
  });

  it('chart_summary = list_of_metrics columns + value_change for conversion_rate and p3_impressions', () => {
    const { extra, ...lom } = columns('airbnb.list_of_metrics');
    expect(columns('airbnb.chart_summary')).toEqual({
      ...lom,
      conversion_rate_value_change: 'float8',
      conversion_rate_value_change_string: 'text',
      p3_impressions_value_change: 'float8',
      p3_impressions_value_change_string: 'text',
      extra,
    });
  });

  it('listings columns and PG types', () => {
    expect(columns('airbnb.listings')).toEqual({
      account_id: 'text',
      airbnb_listing_id: 'text',
      airbnb_internal_name: 'text',
      listing_name: 'text',
      thumbnail_url: 'text',
      last_seen_date: 'date',
    });
  });

  it('known metric columns are exactly the metric columns of each table', () => {
    const notMetric = new Set([
      'account_id',
      'time',
      'airbnb_listing_id',
      'airbnb_internal_name',
      'metric_date',
      'window_start',
      'window_end',
      'extra',
    ]);
    for (const table of airbnbTables.filter((t) => t.table !== 'airbnb.listings')) {
      const metricColumns = table.columns.map((c) => c.name).filter((name) => !notMetric.has(name));
      expect(AIRBNB_KNOWN_METRIC_COLUMNS[table.table as keyof typeof AIRBNB_KNOWN_METRIC_COLUMNS]).toEqual(
        metricColumns,
      );
    }
  });
});
