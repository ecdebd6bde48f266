import { randomBytes, randomUUID } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadFetcherConfig, type FetcherConfig } from '@staysync/config';
import { CredentialCipher } from '@staysync/crypto';
import { KafkaProducerService } from '@staysync/kafka';
import {
  makeAirbnbCookie,
  startAirbnbSimulator,
  type AirbnbSimulator,
  type AirbnbSimulatorOptions,
} from '@staysync/simulators';
import { parseMetricList, planRequests } from '@staysync/source-airbnb';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { createFetcherApp } from '../../apps/fetcher/src/bootstrap';
import type { FetcherAppOptions } from '../../apps/fetcher/src/fetcher.module';
import { CapturedLogs } from '../admin/admin-app';
import {
  createTestDatabase,
  createTestTopics,
  isMockBroker,
  randomGroupId,
  testBrokers,
  waitFor,
  type TestDatabase,
} from '../harness';

export { CapturedLogs };

export const TEST_CHART_METRICS = 'CONVERSION:p3_impressions';
export const TEST_LIST_OF_METRICS = 'CONVERSION:conversion_rate,CONVERSION:p3_impressions';
export const TEST_LOOKAHEAD_WEEKS = 4;

/** No pacing, quick retries, a short lookahead so a job is tens of requests, not hundreds. */
export function fetcherTestConfig(overrides: Record<string, string>): FetcherConfig {
  return loadFetcherConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    KAFKA_IDEMPOTENT_PRODUCER: isMockBroker() ? 'false' : 'true',
    KAFKA_CREATE_TOPICS: isMockBroker() ? 'false' : 'true',
    CREDENTIALS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    LOG_LEVEL: 'info',
    AIRBNB_MIN_INTERVAL_MS: '0',
    AIRBNB_JITTER_MS: '0',
    AIRBNB_LISTING_PAUSE_MS: '0',
    AIRBNB_LISTING_PAUSE_JITTER_MS: '0',
    AIRBNB_RETRY_BASE_MS: '10',
    AIRBNB_MAX_ATTEMPTS: '5',
    AIRBNB_LOOKAHEAD_WEEKS: String(TEST_LOOKAHEAD_WEEKS),
    AIRBNB_CHART_METRICS: TEST_CHART_METRICS,
    AIRBNB_LIST_OF_METRICS: TEST_LIST_OF_METRICS,
    ...overrides,
  });
}

export const FAST_RUNTIME: FetcherAppOptions = {
  progressFlushMs: 100,
  sweepIntervalMs: 200,
  leaseMs: 30_000,
  // short group timeouts: a second fetcher joining after the first left must not wait 30 s for a rebalance
  commandConsumer: {
    maxWaitTimeInMs: 100,
    sessionTimeout: 6_000,
    rebalanceTimeout: 6_000,
    heartbeatInterval: 500,
  },
};

export async function startFetcher(
  config: FetcherConfig,
  options: FetcherAppOptions = {},
): Promise<{ app: NestExpressApplication; logs: CapturedLogs }> {
  const logs = new CapturedLogs();
  const app = await createFetcherApp(config, { ...FAST_RUNTIME, logStream: logs, ...options });
  await app.init();
  return { app, logs };
}

/** An airbnb.accounts row whose cookie is sealed with the fetcher's key, as the admin API stores it. */
export async function insertAirbnbAccount(
  sql: Client,
  config: FetcherConfig,
  accountId: string,
): Promise<void> {
  const sealed = new CredentialCipher(config.credentialKeys).encrypt(makeAirbnbCookie(accountId));
  await sql.query(
    `INSERT INTO airbnb.accounts (account_id, airbnb_cookie, x_client_version, user_agent) VALUES ($1, $2, 'test-version', 'Mozilla/5.0 test')`,
    [accountId, sealed],
  );
}

/** What a fetcher suite starts from: a database, the Airbnb simulator, and a fetcher config on both. */
export interface AirbnbFetcherSuite {
  db: TestDatabase;
  sql: Client;
  simulator: AirbnbSimulator;
  config: FetcherConfig;
  /** closes the simulator and the client, drops the database (the suite's apps are the suite's to close) */
  close(): Promise<void>;
}

/**
 * A fresh database with an airbnb.accounts row for each of `storedAccounts` (default: every account of
 * the simulator), the Airbnb simulator, and `fetcherTestConfig` pointing at both under `topicPrefix`.
 */
export async function startAirbnbFetcherSuite(options: {
  topicPrefix: string;
  simulator: AirbnbSimulatorOptions;
  storedAccounts?: string[];
  env?: Record<string, string>;
}): Promise<AirbnbFetcherSuite> {
  const db = await createTestDatabase();
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  const simulator = await startAirbnbSimulator(options.simulator);
  const config = fetcherTestConfig({
    DATABASE_URL: db.url,
    KAFKA_TOPIC_PREFIX: options.topicPrefix,
    AIRBNB_BASE_URL: simulator.url,
    ...options.env,
  });
  const storedAccounts = options.storedAccounts ?? options.simulator.accounts.map((a) => a.accountId);
  for (const accountId of storedAccounts) await insertAirbnbAccount(sql, config, accountId);
  return {
    db,
    sql,
    simulator,
    config,
    async close() {
      await simulator.close();
      await sql.end();
      await db.drop();
    },
  };
}

export async function insertQueuedJob(
  sql: Client,
  accountId: string,
  mode: 'backfill' | 'incremental' = 'incremental',
): Promise<string> {
  const id = randomUUID();
  await sql.query(
    `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger) VALUES ($1, 'airbnb', $2, $3, 'manual')`,
    [id, accountId, mode],
  );
  return id;
}

export async function sendSyncCommand(
  app: NestExpressApplication,
  jobId: string,
  accountId: string,
  mode: 'backfill' | 'incremental' = 'incremental',
): Promise<void> {
  await app.get(KafkaProducerService).send('sync.commands', [
    {
      key: `airbnb:${accountId}`,
      value: {
        schemaVersion: 1,
        jobId,
        source: 'airbnb',
        accountId,
        mode,
        trigger: 'manual',
        requestedAt: new Date().toISOString(),
      },
    },
  ]);
}

/**
 * The metric requests a job plans for an account of the simulator, planned exactly as the fetcher plans
 * them. `scrapeDay` is the job's own (fixed when a fetcher first claims it, see `JobRow.scrape_day`),
 * not today again: a test may cross midnight UTC, and Saturdays plan differently.
 */
export function expectedMetricRequests(
  simulator: AirbnbSimulator,
  accountId: string,
  job: { scrapeDay: string; mode?: 'backfill' | 'incremental' },
) {
  const { scrapeDay, mode = 'incremental' } = job;
  return planRequests({
    listings: simulator.listingsFor(accountId),
    scrapeDay,
    firstRun: mode === 'backfill',
    lookaheadWeeks: TEST_LOOKAHEAD_WEEKS,
    metrics: {
      chart: parseMetricList(TEST_CHART_METRICS),
      listOfMetrics: parseMetricList(TEST_LIST_OF_METRICS),
    },
  });
}

/** Every request a job plans: the account's listings page, then its metric requests. */
export function expectedJobRequests(
  simulator: AirbnbSimulator,
  accountId: string,
  job: { scrapeDay: string; mode?: 'backfill' | 'incremental' },
): number {
  return 1 + expectedMetricRequests(simulator, accountId, job).length;
}

export interface RawMessage {
  key: string;
  value: string;
  envelope: {
    jobId: string;
    accountId: string;
    requestKey: string;
    operation: string;
    resourceId: string | null;
    variables: Record<string, unknown>;
  };
}

/** Reads `raw.airbnb.v1` of the suite's prefix from the beginning into `messages`. */
export class RawTopicReader {
  readonly messages: RawMessage[] = [];
  private consumer?: Consumer;

  constructor(private readonly topicPrefix: string) {}

  async start(): Promise<void> {
    const kafka = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({
      groupId: randomGroupId('fetcher-raw'),
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
    });
    await this.consumer.connect();
    await createTestTopics(this.topicPrefix);
    await this.consumer.subscribe({ topics: [`${this.topicPrefix}raw.airbnb.v1`], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value!.toString('utf8');
        this.messages.push({ key: message.key!.toString('utf8'), value, envelope: JSON.parse(value) });
      },
    });
  }

  forJob(jobId: string): RawMessage[] {
    return this.messages.filter((m) => m.envelope.jobId === jobId);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

export interface JobRow {
  status: string;
  planned: number;
  fetched: number;
  failed: number;
  error: string | null;
  owner: string | null;
  progress: Record<string, { planned: number; fetched: number; failed: number; error?: string }>;
  errors: Array<{ resourceId: string; message: string }>;
  started_at: Date | null;
  fetch_completed_at: Date | null;
  finished_at: Date | null;
  /** YYYY-MM-DD, set when a fetcher first claims the job */
  scrape_day: string | null;
}

export async function jobRow(sql: Client, jobId: string): Promise<JobRow> {
  const { rows } = await sql.query<JobRow>(
    `SELECT *, to_char(scrape_date, 'YYYY-MM-DD') AS scrape_day FROM ops.sync_jobs WHERE id = $1`,
    [jobId],
  );
  return rows[0];
}

export function waitForJob(
  sql: Client,
  jobId: string,
  done: (job: JobRow) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<JobRow> {
  return waitFor(
    async () => {
      const job = await jobRow(sql, jobId);
      return done(job) ? job : null;
    },
    { what, timeoutMs },
  );
}

/**
 * Queues a job for `accountId` on `app` and waits until it fetched more than `fetched` requests and is
 * still fetching; with the requests it plans in all (the account's listing page and its metric requests).
 */
export async function startPartialJob(
  sql: Client,
  app: NestExpressApplication,
  simulator: AirbnbSimulator,
  accountId: string,
  fetched: number,
): Promise<{ jobId: string; expected: number }> {
  const jobId = await insertQueuedJob(sql, accountId);
  await sendSyncCommand(app, jobId, accountId);
  const partial = await waitForJob(
    sql,
    jobId,
    (j) => j.fetched > fetched && j.fetch_completed_at === null,
    'partial progress',
  );
  return {
    jobId,
    expected: expectedJobRequests(simulator, accountId, { scrapeDay: partial.scrape_day! }),
  };
}
