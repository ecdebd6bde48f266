import { airbnbFetchOptionsOf, parseMetricList, planRequests, planWindows } from '@staysync/source-airbnb';
import type { FetcherConfig } from '@staysync/config';
import type { Pool } from 'pg';

export interface ExpectedCounts {
  requests: number;
  rows: { listings: number; chart_query: number; list_of_metrics: number; chart_summary: number };
}

/**
 * What one backfill of these accounts should fetch and load, planned exactly as the fetcher plans it,
 * each account on its job's scrape day (the windows, and on Saturdays the requests, depend on it).
 */
export function expectedCounts(
  accounts: Array<{ listings: Array<{ id: string; internalName: string }>; scrapeDay: string }>,
  config: FetcherConfig,
): ExpectedCounts {
  const airbnb = airbnbFetchOptionsOf(config);
  const metrics = {
    chart: parseMetricList(airbnb.chartMetrics.join(',')),
    listOfMetrics: parseMetricList(airbnb.listOfMetrics.join(',')),
  };
  const lookaheadWeeks = airbnb.lookaheadWeeks;
  const counts: ExpectedCounts = {
    requests: 0,
    rows: { listings: 0, chart_query: 0, list_of_metrics: 0, chart_summary: 0 },
  };
  for (const { listings, scrapeDay } of accounts) {
    const windows = planWindows({ scrapeDay, firstRun: true, lookaheadWeeks });
    const chartDays = windows.chart.reduce(
      (sum, w) => sum + (Date.parse(w.end) - Date.parse(w.start)) / 86_400_000 + 1,
      0,
    );
    counts.requests +=
      1 + planRequests({ listings, scrapeDay, firstRun: true, lookaheadWeeks, metrics }).length;
    counts.rows.listings += listings.length;
    if (metrics.chart.length > 0) {
      counts.rows.chart_query += listings.length * chartDays;
      counts.rows.chart_summary += listings.length * windows.chart.length;
    }
    if (metrics.listOfMetrics.length > 0)
      counts.rows.list_of_metrics += listings.length * windows.listOfMetrics.length;
  }
  return counts;
}

/**
 * The scrape day of each account's job, as the fetcher fixed it when it first claimed the job: what a
 * run's counts are planned on (not today again, which a run may have crossed into). Accounts whose job
 * was never claimed are missing.
 */
export const SCRAPE_DAYS_SQL = `SELECT account_id, to_char(scrape_date, 'YYYY-MM-DD') AS day FROM ops.sync_jobs
  WHERE source = 'airbnb' AND account_id = ANY($1::text[]) AND scrape_date IS NOT NULL`;

export function scrapeDaysOf(rows: Array<{ account_id: string; day: string }>): Record<string, string> {
  return Object.fromEntries(rows.map((r) => [r.account_id, r.day]));
}

/** {@link SCRAPE_DAYS_SQL}, requiring one claimed job per account. */
export async function scrapeDaysOfJobs(pool: Pool, accountIds: string[]): Promise<Record<string, string>> {
  const { rows } = await pool.query<{ account_id: string; day: string }>(SCRAPE_DAYS_SQL, [accountIds]);
  const days = scrapeDaysOf(rows);
  const missing = accountIds.filter((id) => !(id in days));
  if (missing.length > 0 || rows.length !== accountIds.length)
    throw new Error(
      `expected one claimed airbnb job per account, got ${rows.length} for ${accountIds.length} account(s)${missing.length > 0 ? ` (none for ${missing.join(', ')})` : ''}`,
    );
  return days;
}
