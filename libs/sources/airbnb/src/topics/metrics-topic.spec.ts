import { airbnbMetricKey, exampleAirbnbMetric } from './airbnb.metrics.v1';
import { airbnbMetricMessages } from './metrics-topic';

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
});
