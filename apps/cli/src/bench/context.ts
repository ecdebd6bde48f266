import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { Pool } from 'pg';
import { loadFetcherConfig, loadLoaderConfig, type FetcherConfig, type LoaderConfig } from '@staysync/config';
import { CredentialCipher } from '@staysync/crypto';
import { makeAirbnbCookie, type AirbnbSimulator } from '@staysync/simulators';

/** Sizes of one bench run (CLI flags). */
export interface BenchSizes {
  accounts: number;
  listings: number;
  lookaheadWeeks: number;
  pacingMs: number;
  /** FETCHER_ACCOUNT_CONCURRENCY (default: every account in parallel) */
  fetcherConcurrency?: number;
}

/** What every phase needs: the database, the broker, the simulator and the env the apps are configured from. */
export interface BenchContext {
  sizes: BenchSizes;
  databaseUrl: string;
  brokers: string;
  mock: boolean;
  pool: Pool;
  simulator: AirbnbSimulator;
  accountIds: string[];
  /** run id: topic prefixes of this run start with it */
  runId: string;
  credentialsKeys: string;
  /** the published topics (ids) the measured loaders send stored rows to (LOADER_PUBLISHED_TOPICS) */
  publishedTopics: string[];
  log: (line: string) => void;
}

/** App logs go to stderr, so stdout keeps only the JSON line. */
export const LOG_STREAM = { write: (line: string) => void process.stderr.write(line) };

/** Short group timings like the integration tests: joins on the mock otherwise take long to settle. */
export const FAST_CONSUMER = {
  sessionTimeout: 6_000,
  rebalanceTimeout: 6_000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 100,
};
export const FAST_RETRY = { initialMs: 100, maxMs: 400 };

function baseEnv(ctx: BenchContext, topicPrefix: string): Record<string, string> {
  return {
    DATABASE_URL: ctx.databaseUrl,
    KAFKA_BROKERS: ctx.brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    PORT: '0',
  };
}

/** The fetcher as the bench runs it: fixed pacing without jitter or listing pauses, every account in parallel. */
export function fetcherConfig(ctx: BenchContext, topicPrefix: string): FetcherConfig {
  return loadFetcherConfig({
    ...baseEnv(ctx, topicPrefix),
    CREDENTIALS_KEYS: ctx.credentialsKeys,
    FETCHER_ACCOUNT_CONCURRENCY: String(ctx.sizes.fetcherConcurrency ?? ctx.sizes.accounts),
    AIRBNB_BASE_URL: ctx.simulator.url,
    AIRBNB_MIN_INTERVAL_MS: String(ctx.sizes.pacingMs),
    AIRBNB_JITTER_MS: '0',
    AIRBNB_LISTING_PAUSE_MS: '0',
    AIRBNB_LISTING_PAUSE_JITTER_MS: '0',
    AIRBNB_RETRY_BASE_MS: '10',
    AIRBNB_LOOKAHEAD_WEEKS: String(ctx.sizes.lookaheadWeeks),
  });
}

/** The loader's environment; `publishedTopics` null: the loader's own default topics. */
export function loaderEnv(
  ctx: BenchContext,
  topicPrefix: string,
  publishedTopics: string[] | null = ctx.publishedTopics,
): Record<string, string> {
  return {
    ...baseEnv(ctx, topicPrefix),
    LOADER_PUBLISH_METRICS: String(publishedTopics === null || publishedTopics.length > 0),
    ...(publishedTopics ? { LOADER_PUBLISHED_TOPICS: publishedTopics.join(',') } : {}),
  };
}

/** The loader's config, from loaderEnv. */
export function loaderConfig(
  ctx: BenchContext,
  topicPrefix: string,
  publishedTopics: string[] | null = ctx.publishedTopics,
): LoaderConfig {
  return loadLoaderConfig(loaderEnv(ctx, topicPrefix, publishedTopics));
}

export function newCredentialsKeys(): string {
  return `bench:${randomBytes(32).toString('base64')}`;
}

/** Accounts as the admin API stores them (cookie sealed with the fetcher's key). */
export async function insertAccounts(ctx: BenchContext, config: FetcherConfig): Promise<void> {
  const cipher = new CredentialCipher(config.credentialKeys);
  for (const accountId of ctx.accountIds) {
    await ctx.pool.query(
      `INSERT INTO airbnb.accounts (account_id, airbnb_cookie, x_client_version, user_agent) VALUES ($1, $2, 'bench', 'staysync-bench')
       ON CONFLICT (account_id) DO NOTHING`,
      [accountId, cipher.encrypt(makeAirbnbCookie(accountId))],
    );
  }
}

/** One queued backfill job per account (what the admin API's sync endpoint creates). */
export async function insertJobs(ctx: BenchContext, accountIds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const accountId of accountIds) {
    const id = randomUUID();
    await ctx.pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger) VALUES ($1, 'airbnb', $2, 'backfill', 'manual')`,
      [id, accountId],
    );
    ids.push(id);
  }
  return ids;
}

export function syncCommands(jobIds: string[], accountIds: string[]) {
  const requestedAt = new Date().toISOString();
  return jobIds.map((jobId, i) => ({
    key: `airbnb:${accountIds[i]}`,
    value: {
      schemaVersion: 1 as const,
      jobId,
      source: 'airbnb',
      accountId: accountIds[i],
      mode: 'backfill' as const,
      trigger: 'manual' as const,
      requestedAt,
    },
  }));
}

export const METRIC_TABLES = [
  'airbnb.listings',
  'airbnb.chart_query',
  'airbnb.list_of_metrics',
  'airbnb.chart_summary',
] as const;

/** Empty loader tables, so each timed load starts from the same state. */
export async function truncateLoaderTables(pool: Pool): Promise<void> {
  await pool.query(`TRUNCATE ${[...METRIC_TABLES, 'airbnb.raw_responses'].join(', ')}`);
}

export async function tableCounts(pool: Pool): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of METRIC_TABLES)
    counts[table.replace('airbnb.', '')] = Number(
      (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n,
    );
  return counts;
}

/** Rows in the metric tables, all together (what the peers, which store no raw payloads, leave). */
export async function metricTableRows(pool: Pool): Promise<number> {
  return Object.values(await tableCounts(pool)).reduce((a, b) => a + b, 0);
}

/** Rows in every table the loader writes (metric tables and raw store), by table. */
export async function loadedTableRows(pool: Pool): Promise<Record<string, number>> {
  return { ...(await tableCounts(pool)), raw_responses: await countRawResponses(pool) };
}

export async function countRawResponses(pool: Pool): Promise<number> {
  return Number(
    (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM airbnb.raw_responses`)).rows[0].n,
  );
}

/** Polls `probe` until it returns a truthy value; `report` runs about once a second while waiting. */
export async function waitUntil<T>(
  probe: () => Promise<T | null | undefined | false>,
  options: { what: string; timeoutMs: number; intervalMs?: number; report?: () => string | Promise<string> },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let nextReport = Date.now() + 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`bench: timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    if (options.report && Date.now() >= nextReport) {
      process.stderr.write(`  … ${await options.report()}\n`);
      nextReport = Date.now() + 1000;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}

export async function closeAll(apps: INestApplication[]): Promise<void> {
  for (const app of apps.splice(0)) await app.close().catch(() => undefined);
}
