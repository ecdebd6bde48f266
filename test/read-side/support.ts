import type { RawEnvelope } from '@staysync/core';
import { loadEnvelopes } from '@staysync/pipeline';
import type { Pool } from 'pg';
import { AIRBNB_FIXTURES, loadFixture } from '../../libs/sources/airbnb/fixtures/load';
import { airbnbEnvelope, fixtureEnvelopes, LISTING_ID, SCRAPE_DATE } from '../loader/support';

export { LISTING_ID, SCRAPE_DATE };
export const REVISED_SCRAPE_DATE = '2025-07-20';

/** The recorded chart fixture scraped a second time, four days later (same numbers until a test revises them). */
function laterChartEnvelope(accountId: string): RawEnvelope {
  return airbnbEnvelope(
    {
      operation: 'ChartQuery',
      listingId: LISTING_ID,
      listingName: '211 N Wilbur',
      metric: 'p3_impressions',
      window: '2025-01-12:2025-02-08',
      body: loadFixture(AIRBNB_FIXTURES.chartP3Impressions),
      scrapeDate: REVISED_SCRAPE_DATE,
    },
    { accountId, fetchedAt: `${REVISED_SCRAPE_DATE}T05:00:00.000Z` },
  );
}

/**
 * An account's recorded fixtures loaded by the real loader path, twice scraped: the second scrape
 * (REVISED_SCRAPE_DATE) revises 2025-01-20's page views to 999 (how Airbnb revises its numbers).
 */
export async function loadAirbnbFixtures(pool: Pool, accountId: string): Promise<void> {
  await loadEnvelopes(pool, fixtureEnvelopes({ accountId }));
  await loadEnvelopes(pool, [laterChartEnvelope(accountId)]);
  await pool.query(
    `UPDATE airbnb.chart_query SET p3_impressions_your_value = 999 WHERE account_id = $1 AND metric_date = '2025-01-20' AND time = $2`,
    [accountId, REVISED_SCRAPE_DATE],
  );
}

/** Hostaway rows whose payloads hold property secrets in clear (as rows loaded before sealing would). */
export async function insertHostawayRows(pool: Pool, accountId: number): Promise<void> {
  await pool.query(
    `INSERT INTO hostaway.listings (id, account_id, name, city, raw_payload, observed_at)
     VALUES (501, $1, 'Loft', 'Lisbon', '{"id":501,"name":"Loft","wifiUsername":"loft-guest","wifiPassword":"hunter2","doorSecurityCode":"4321"}', now())`,
    [accountId],
  );
  await pool.query(
    `INSERT INTO hostaway.reservations (id, account_id, listing_id, status, arrival_date, departure_date, raw_payload, observed_at)
     SELECT 9000 + n, $1, 501, CASE WHEN n % 2 = 0 THEN 'new' ELSE 'cancelled' END, DATE '2026-11-01' + n, DATE '2026-11-03' + n,
            jsonb_build_object('id', 9000 + n, 'doorCode', '77' || n, 'guestName', 'Guest ' || n, 'lockbox', jsonb_build_object('code', 'B' || n)), now()
       FROM generate_series(1, 5) n`,
    [accountId],
  );
}
