import type { RawEnvelope } from '@staysync/core';
import { AIRBNB_FIXTURES, loadFixture } from './fixtures/load';
import { buildEnvelope } from './src/parse-command';

const SCRAPE_DATE = '2025-07-16';
const ACCOUNT_ID = '70001';
const LISTING_ID = '745515258634591476';

/**
 * The golden replay of the conformance suite (test/sources): one recorded response per operation, as the
 * fetcher would publish them. Built from ./fixtures, so there is one copy of each upstream response.
 */
export function goldenEnvelopes(): RawEnvelope[] {
  return [
    buildEnvelope({
      operation: 'ListingsSectionQuery',
      scrapeDate: SCRAPE_DATE,
      accountId: ACCOUNT_ID,
      body: loadFixture(AIRBNB_FIXTURES.listingsSection),
    }),
    buildEnvelope({
      operation: 'ChartQuery',
      scrapeDate: SCRAPE_DATE,
      accountId: ACCOUNT_ID,
      listingId: LISTING_ID,
      listingName: '211 N Wilbur',
      metric: 'p3_impressions',
      window: '2025-01-12:2025-02-08',
      body: loadFixture(AIRBNB_FIXTURES.chartP3Impressions),
    }),
    buildEnvelope({
      operation: 'ListOfMetricsQuery',
      scrapeDate: SCRAPE_DATE,
      accountId: ACCOUNT_ID,
      listingId: LISTING_ID,
      metric: 'conversion_rate',
      window: '2025-07-06:2025-07-12',
      body: loadFixture(AIRBNB_FIXTURES.listOfMetricsConversionRate),
    }),
  ];
}
