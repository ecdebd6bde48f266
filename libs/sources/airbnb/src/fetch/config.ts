import { z } from 'zod';
import { int, list, sourceFetch, url } from '@staysync/core';
import { airbnbFetchPlugin, type AirbnbFetchOptions } from './airbnb-fetch-plugin';
import { AIRBNB_SOURCE_NAME } from '../parser.v1';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a persisted-query sha256 hash (64 hex digits)');

/** The fetcher's Airbnb variables (README, configuration). */
export const airbnbFetchShape = {
  AIRBNB_BASE_URL: url(['http', 'https']).default('https://www.airbnb.com'),
  AIRBNB_API_KEY: z.string().default('d306zoyjsyarp7ifhu67rjxn52tv0t20'),
  AIRBNB_MIN_INTERVAL_MS: int(5000),
  AIRBNB_JITTER_MS: int(5000),
  AIRBNB_LISTING_PAUSE_MS: int(15_000),
  AIRBNB_LISTING_PAUSE_JITTER_MS: int(15_000),
  AIRBNB_PREFLIGHT_TIMEOUT_MS: int(30_000, { min: 100 }),
  AIRBNB_BLOCK_COOLDOWN_MS: int(6 * 3600_000),
  AIRBNB_LISTINGS_SECTION_QUERY_HASH: sha256.default(
    '7a646c07b45ad35335b2cde4842e5c5bf69ccebde508b2ba60276832bfb1816b',
  ),
  AIRBNB_CHART_QUERY_HASH: sha256.default('aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5'),
  AIRBNB_LIST_OF_METRICS_QUERY_HASH: sha256.default(
    'b22a5ded5e6c6d168f1d224b78f34182e7366e5cc65203ec04f1e718286a09e1',
  ),
  AIRBNB_TIMEOUT_MS: int(10_000, { min: 100 }),
  AIRBNB_MAX_ATTEMPTS: int(5, { min: 1, max: 20 }),
  AIRBNB_RETRY_BASE_MS: int(1000),
  AIRBNB_LOOKAHEAD_WEEKS: int(25, { min: 0, max: 25 }),
  AIRBNB_CHART_METRICS: list('CONVERSION:p3_impressions,CONVERSION:conversion_rate'),
  AIRBNB_LIST_OF_METRICS: list('CONVERSION:conversion_rate,CONVERSION:p3_impressions'),
};

export const airbnbFetch = sourceFetch({
  configShape: airbnbFetchShape,
  config: (e): AirbnbFetchOptions => ({
    baseUrl: e.AIRBNB_BASE_URL,
    apiKey: e.AIRBNB_API_KEY,
    minIntervalMs: e.AIRBNB_MIN_INTERVAL_MS,
    jitterMs: e.AIRBNB_JITTER_MS,
    listingPauseMs: e.AIRBNB_LISTING_PAUSE_MS,
    listingPauseJitterMs: e.AIRBNB_LISTING_PAUSE_JITTER_MS,
    timeoutMs: e.AIRBNB_TIMEOUT_MS,
    preflightTimeoutMs: e.AIRBNB_PREFLIGHT_TIMEOUT_MS,
    blockCoolDownMs: e.AIRBNB_BLOCK_COOLDOWN_MS,
    hashes: {
      ListingsSectionQuery: e.AIRBNB_LISTINGS_SECTION_QUERY_HASH,
      ChartQuery: e.AIRBNB_CHART_QUERY_HASH,
      ListOfMetricsQuery: e.AIRBNB_LIST_OF_METRICS_QUERY_HASH,
    },
    maxAttempts: e.AIRBNB_MAX_ATTEMPTS,
    retryBaseMs: e.AIRBNB_RETRY_BASE_MS,
    lookaheadWeeks: e.AIRBNB_LOOKAHEAD_WEEKS,
    chartMetrics: e.AIRBNB_CHART_METRICS,
    listOfMetrics: e.AIRBNB_LIST_OF_METRICS,
  }),
  plugin: airbnbFetchPlugin,
});

/** The Airbnb section of a fetcher config (`FetcherConfig.sources.airbnb`), e.g. for the bench's expected counts. */
export function airbnbFetchOptionsOf(config: {
  sources: Readonly<Record<string, unknown>>;
}): AirbnbFetchOptions {
  return config.sources[AIRBNB_SOURCE_NAME] as AirbnbFetchOptions;
}
