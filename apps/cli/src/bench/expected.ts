import { airbnbFetchOptionsOf, parseMetricList, planRequests, planWindows } from '@staysync/source-airbnb';
import type { FetcherConfig } from '@staysync/config';

export interface ExpectedCounts {
  requests: number;
  rows: { listings: number; chart_query: number; list_of_metrics: number; chart_summary: number };
}

/** What one backfill of these accounts should fetch and load, planned exactly as the fetcher plans it. */
export function expectedCounts(
  listingsByAccount: Array<Array<{ id: string; internalName: string }>>,
  config: FetcherConfig,
  scrapeDay: string,
): ExpectedCounts {
  const airbnb = airbnbFetchOptionsOf(config);
  const metrics = {
    chart: parseMetricList(airbnb.chartMetrics.join(',')),
    listOfMetrics: parseMetricList(airbnb.listOfMetrics.join(',')),
  };
  const lookaheadWeeks = airbnb.lookaheadWeeks;
  const windows = planWindows({ scrapeDay, firstRun: true, lookaheadWeeks });
  const chartDays = windows.chart.reduce(
    (sum, w) => sum + (Date.parse(w.end) - Date.parse(w.start)) / 86_400_000 + 1,
    0,
  );
  let requests = 0;
  let listings = 0;
  for (const accountListings of listingsByAccount) {
    requests +=
      1 +
      planRequests({ listings: accountListings, scrapeDay, firstRun: true, lookaheadWeeks, metrics }).length;
    listings += accountListings.length;
  }
  const hasChart = metrics.chart.length > 0;
  return {
    requests,
    rows: {
      listings,
      chart_query: hasChart ? listings * chartDays : 0,
      list_of_metrics: metrics.listOfMetrics.length > 0 ? listings * windows.listOfMetrics.length : 0,
      chart_summary: hasChart ? listings * windows.chart.length : 0,
    },
  };
}
