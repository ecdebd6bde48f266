import { airbnbMetricKey, exampleAirbnbMetric } from './airbnb.metrics.v1';
import { MAX_ROWS_PER_MESSAGE } from './airbnb.metrics.v2';
import { airbnbListingMetricsMessages, airbnbMetricMessages } from './metrics-topic';

describe('Airbnb > airbnb.metrics topic', () => {
  it('keys a metric by account:listing:date', () => {
    expect(airbnbMetricKey(exampleAirbnbMetric)).toBe('acc-42:12345678:2024-04-30');
  });

  it('publishes metric rows as stored and ignores the listings table', () => {
    const chartRow = {
      account_id: '7',
      airbnb_listing_id: '99',
      time: '2026-11-22',
      metric_date: '2026-11-20',
      p3_impressions_your_value: 134,
    };
    const summaryRow = {
      account_id: '7',
      airbnb_listing_id: '99',
      time: '2026-11-22',
      window_start: '2026-10-23',
    };
    const messages = airbnbMetricMessages(
      [
        { table: 'airbnb.chart_query', row: chartRow },
        { table: 'airbnb.listings', row: { account_id: '7', airbnb_listing_id: '99' } },
        { table: 'airbnb.chart_summary', row: summaryRow },
      ],
      new Date('2026-11-22T05:00:00.000Z'),
    );
    expect(messages).toEqual([
      {
        key: '7:99:2026-11-20',
        value: {
          schemaVersion: 1,
          accountId: '7',
          listingId: '99',
          table: 'chart_query',
          scrapeDate: '2026-11-22',
          date: '2026-11-20',
          row: chartRow,
          loadedAt: '2026-11-22T05:00:00.000Z',
        },
      },
      {
        key: '7:99:2026-10-23',
        value: {
          schemaVersion: 1,
          accountId: '7',
          listingId: '99',
          table: 'chart_summary',
          scrapeDate: '2026-11-22',
          date: '2026-10-23',
          row: summaryRow,
          loadedAt: '2026-11-22T05:00:00.000Z',
        },
      },
    ]);
  });

  describe('airbnb.metrics.v2', () => {
    const loadedAt = new Date('2026-11-22T05:00:00.000Z');
    const chart = (listing: string, day: number) => ({
      table: 'airbnb.chart_query',
      row: {
        account_id: '7',
        airbnb_listing_id: listing,
        time: '2026-11-22',
        metric_date: `2026-11-${String(day).padStart(2, '0')}`,
        p3_impressions_your_value: day,
      },
    });
    const summary = {
      table: 'airbnb.chart_summary',
      row: { account_id: '7', airbnb_listing_id: '99', time: '2026-11-22', window_start: '2026-10-23' },
    };

    it('publishes one message per listing and table, rows in stored order, keyed account:listing', () => {
      const stored = [
        chart('99', 20),
        summary,
        chart('98', 20),
        chart('99', 21),
        { table: 'airbnb.listings', row: {} },
      ];
      expect(airbnbListingMetricsMessages(stored, loadedAt)).toEqual([
        {
          key: '7:99',
          value: {
            schemaVersion: 2,
            accountId: '7',
            listingId: '99',
            table: 'chart_query',
            loadedAt: '2026-11-22T05:00:00.000Z',
            rows: [
              { scrapeDate: '2026-11-22', date: '2026-11-20', row: stored[0].row },
              { scrapeDate: '2026-11-22', date: '2026-11-21', row: stored[3].row },
            ],
          },
        },
        {
          key: '7:99',
          value: {
            schemaVersion: 2,
            accountId: '7',
            listingId: '99',
            table: 'chart_summary',
            loadedAt: '2026-11-22T05:00:00.000Z',
            rows: [{ scrapeDate: '2026-11-22', date: '2026-10-23', row: summary.row }],
          },
        },
        {
          key: '7:98',
          value: {
            schemaVersion: 2,
            accountId: '7',
            listingId: '98',
            table: 'chart_query',
            loadedAt: '2026-11-22T05:00:00.000Z',
            rows: [{ scrapeDate: '2026-11-22', date: '2026-11-20', row: stored[2].row }],
          },
        },
      ]);
    });

    it('carries the same rows as v1, and splits a listing’s table past MAX_ROWS_PER_MESSAGE rows', () => {
      const stored = Array.from({ length: MAX_ROWS_PER_MESSAGE + 1 }, (_, i) => chart('99', (i % 28) + 1));
      const v2 = airbnbListingMetricsMessages(stored, loadedAt);
      expect(v2.map((m) => m.value.rows.length)).toEqual([MAX_ROWS_PER_MESSAGE, 1]);
      const v1 = airbnbMetricMessages(stored, loadedAt);
      expect(v2.flatMap((m) => m.value.rows)).toEqual(
        v1.map(({ value }) => ({ scrapeDate: value.scrapeDate, date: value.date, row: value.row })),
      );
    });
  });
});
