import type { RawEnvelope } from '@staysync/core';
import { buildEnvelope, type ParseCommandInput } from '@staysync/source-airbnb';
import { Pool } from 'pg';
import { AIRBNB_FIXTURES, loadFixture } from '../../libs/sources/airbnb/fixtures/load';

export const LISTING_ID = '745515258634591476';
export const SCRAPE_DATE = '2025-07-16';

export interface EnvelopeOptions {
  accountId: string;
  jobId?: string | null;
  fetchedAt?: string;
}

/**
 * An Airbnb response wrapped as the fetcher would publish it. The request key gets the account in
 * front: the planner's keys do not name the account, and the raw store is unique on (key, fetched_at).
 */
export function airbnbEnvelope(
  input: Omit<ParseCommandInput, 'scrapeDate'> & { scrapeDate?: string },
  options: EnvelopeOptions,
): RawEnvelope {
  const envelope = buildEnvelope({ scrapeDate: SCRAPE_DATE, ...input, accountId: options.accountId });
  return {
    ...envelope,
    jobId: options.jobId ?? null,
    requestKey: `${options.accountId}:${envelope.requestKey}`,
    fetchedAt: options.fetchedAt ?? envelope.fetchedAt,
  };
}

export function chartEnvelope(
  options: EnvelopeOptions,
  metric = 'p3_impressions',
  body: unknown = loadFixture(AIRBNB_FIXTURES.chartP3Impressions),
): RawEnvelope {
  return airbnbEnvelope(
    {
      operation: 'ChartQuery',
      listingId: LISTING_ID,
      listingName: '211 N Wilbur',
      metric,
      window: '2025-01-12:2025-02-08',
      body,
    },
    options,
  );
}

export function listOfMetricsEnvelope(options: EnvelopeOptions): RawEnvelope {
  return airbnbEnvelope(
    {
      operation: 'ListOfMetricsQuery',
      listingId: LISTING_ID,
      metric: 'conversion_rate',
      window: '2025-07-06:2025-07-12',
      body: loadFixture(AIRBNB_FIXTURES.listOfMetricsConversionRate),
    },
    options,
  );
}

export function listingsEnvelope(options: EnvelopeOptions): RawEnvelope {
  return airbnbEnvelope(
    { operation: 'ListingsSectionQuery', body: loadFixture(AIRBNB_FIXTURES.listingsSection) },
    options,
  );
}

/** The three recorded fixtures: 28 chart_query + 1 chart_summary, 1 list_of_metrics, 7 listings rows. */
export function fixtureEnvelopes(options: EnvelopeOptions): RawEnvelope[] {
  return [listingsEnvelope(options), chartEnvelope(options), listOfMetricsEnvelope(options)];
}

export const METRIC_TABLES = [
  'airbnb.listings',
  'airbnb.chart_query',
  'airbnb.chart_summary',
  'airbnb.list_of_metrics',
] as const;

/** Row count per table for one account. */
export async function rowCounts(pool: Pool, accountId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of METRIC_TABLES) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table} WHERE account_id = $1`,
      [accountId],
    );
    counts[table] = rows[0].n;
  }
  return counts;
}

/** Every row of the account's metric tables, in a stable order, for before/after comparisons. */
export async function snapshot(pool: Pool, accountId: string): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const table of METRIC_TABLES) {
    const { rows } = await pool.query(
      `SELECT to_jsonb(t) - 'created_at' - 'updated_at' AS row FROM ${table} t WHERE account_id = $1 ORDER BY to_jsonb(t)::text`,
      [accountId],
    );
    result[table] = rows.map((r: { row: unknown }) => r.row);
  }
  return result;
}

/**
 * snapshot's rows as JSON text, sorted as they are shown, without created_at and updated_at (snapshot
 * orders by the whole row): equal for two writers of the same rows, whenever each wrote them.
 */
export async function sortedSnapshot(pool: Pool, accountId: string): Promise<Record<string, string[]>> {
  const tables = await snapshot(pool, accountId);
  return Object.fromEntries(
    Object.entries(tables).map(([table, rows]) => [table, rows.map((r) => JSON.stringify(r)).sort()]),
  );
}

export async function chartRow(
  pool: Pool,
  accountId: string,
  metricDate: string,
): Promise<Record<string, unknown>> {
  const { rows } = await pool.query(
    `SELECT to_jsonb(t) AS row FROM airbnb.chart_query t WHERE account_id = $1 AND metric_date = $2`,
    [accountId, metricDate],
  );
  return (rows[0] as { row: Record<string, unknown> }).row;
}
