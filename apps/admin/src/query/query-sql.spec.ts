import { buildQuery, selectedColumns, UnknownMetricError } from './query-sql';
import { readTable } from './query-tables';

describe('Admin > Query > buildQuery', () => {
  const chart = readTable('chart_query');

  it('latest snapshot per key, filtered by account, listings and days, continuing after a cursor', () => {
    const query = buildQuery(
      chart,
      {
        accountId: '6001',
        listingIds: ['1', '2'],
        from: '2026-11-01',
        to: '2026-11-30',
        metrics: ['p3_impressions'],
      },
      { after: ['6001', '1', '2026-11-05'], limit: 51 },
    );
    expect(query.text).toBe(
      [
        'SELECT DISTINCT ON ("account_id", "airbnb_listing_id", "metric_date") "account_id", "time", "airbnb_listing_id", "airbnb_internal_name", "metric_date", ' +
          '"p3_impressions_your_value", "p3_impressions_your_value_string", "p3_impressions_similar_value", "p3_impressions_similar_value_string", "extra"',
        'FROM airbnb.chart_query',
        'WHERE "account_id" = $1::text AND "airbnb_listing_id" = ANY($2::text[]) AND "metric_date" >= $3::date AND "metric_date" <= $4::date' +
          ' AND ("account_id", "airbnb_listing_id", "metric_date") > ($5::text, $6::text, $7::date)',
        'ORDER BY "account_id", "airbnb_listing_id", "metric_date", "time" DESC',
        'LIMIT $8::bigint',
      ].join('\n'),
    );
    expect(query.values).toEqual([
      '6001',
      ['1', '2'],
      '2026-11-01',
      '2026-11-30',
      '6001',
      '1',
      '2026-11-05',
      51,
    ]);
    expect(query.cursorColumns).toEqual(['account_id', 'airbnb_listing_id', 'metric_date']);
  });

  it('as_of=<day> takes the latest snapshot scraped on or before it', () => {
    const query = buildQuery(readTable('list_of_metrics'), { accountId: '6001', asOf: '2026-11-20' });
    expect(query.text).toContain('WHERE "account_id" = $1::text AND "time" <= $2::date');
    expect(query.text).toContain('ORDER BY "account_id", "airbnb_listing_id", "window_start", "time" DESC');
    expect(query.text).not.toContain('LIMIT');
  });

  it('as_of=all returns every snapshot, keyed by the whole key including time', () => {
    const query = buildQuery(
      chart,
      { asOf: 'all' },
      { after: ['6001', '1', '2026-11-05', '2026-11-22'], limit: 10 },
    );
    expect(query.text).toMatch(/^SELECT "account_id"/);
    expect(query.text).toContain(
      'WHERE ("account_id", "airbnb_listing_id", "metric_date", "time") > ($1::text, $2::text, $3::date, $4::date)',
    );
    expect(query.text).toContain('ORDER BY "account_id", "airbnb_listing_id", "metric_date", "time"\n');
  });

  it('Hostaway messages: days bound an instant column (to is inclusive), status, single-column keyset', () => {
    const query = buildQuery(
      readTable('hostaway_messages'),
      { accountId: '10452', from: '2026-11-01', to: '2026-11-02', status: 'sent' },
      { after: ['99'], limit: 3 },
    );
    expect(query.text).toContain(
      'WHERE "account_id" = $1::bigint AND "sent_at" >= $2::date AND "sent_at" < $3::date + 1 AND "status" = $4::text AND "id" > $5::bigint',
    );
    expect(query.text).toContain('ORDER BY "id"\nLIMIT $6::bigint');
  });

  it('refuses filters a table has no index-backed column for', () => {
    expect(() => buildQuery(readTable('hostaway_listings'), { from: '2026-11-01' })).toThrow(
      'hostaway_listings has no date filter',
    );
    expect(() => buildQuery(readTable('hostaway_listings'), { status: 'x' })).toThrow(
      'hostaway_listings has no status filter',
    );
    expect(() => buildQuery(chart, {}, { after: ['6001'], limit: 1 })).toThrow(
      'cursor does not match this query',
    );
  });
});

describe('Admin > Query > selectedColumns', () => {
  it('a metric name selects every column it prefixes; descriptive columns stay', () => {
    expect(selectedColumns(readTable('chart_summary'), ['conversion_rate'])).toEqual([
      'account_id',
      'time',
      'airbnb_listing_id',
      'airbnb_internal_name',
      'window_start',
      'window_end',
      'conversion_rate_value',
      'conversion_rate_value_string',
      'conversion_rate_value_change',
      'conversion_rate_value_change_string',
      'extra',
    ]);
  });

  it('an unknown metric is an error naming the known ones', () => {
    expect(() => selectedColumns(readTable('chart_query'), ['bookings'])).toThrow(UnknownMetricError);
    expect(() => selectedColumns(readTable('chart_query'), ['bookings'])).toThrow(
      /unknown metric "bookings"; known: conversion_rate_your_value, /,
    );
  });
});
