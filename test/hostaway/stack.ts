import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { FetcherConfig } from '@staysync/config';
import {
  startHostawaySimulator,
  type HostawaySimulator,
  type HostawaySimulatorAccount,
} from '@staysync/simulators';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import request from 'supertest';
import { adminTestConfig, CapturedLogs, startAdmin, TEST_API_KEY } from '../admin/admin-app';
import { fetcherTestConfig, startFetcher, waitForJob } from '../fetcher/fetcher-app';
import {
  createTestDatabase,
  randomGroupId,
  randomTopicPrefix,
  testBrokers,
  type TestDatabase,
} from '../harness';
import { FAST_CONSUMER } from '../kafka/support';
import { loaderTestConfig, startLoader } from '../loader/loader-app';

/** admin (accounts API, webhooks) + fetcher + loader + the Hostaway simulator, on PostgreSQL and the broker. */
export interface HostawayStack {
  prefix: string;
  /** CREDENTIALS_KEYS shared by the three services */
  keys: string;
  db: TestDatabase;
  sql: Client;
  simulator: HostawaySimulator;
  admin: NestExpressApplication;
  /** the webhook receiver's URL */
  webhookUrl: string;
  logs: { admin: CapturedLogs; fetcher: CapturedLogs; loader: CapturedLogs };
  api(): ReturnType<typeof request>;
  /** POST …/sync and wait for the job to finish; the job row */
  sync(
    accountId: number,
    mode?: 'full' | 'incremental',
  ): Promise<{ id: string; status: string } & Record<string, unknown>>;
  /** POST …/accounts with `body` and wait for the full sync the creation starts; that job's row */
  createAccount(
    body: Record<string, unknown>,
  ): Promise<{ id: string; status: string } & Record<string, unknown>>;
  /** closes admin, fetcher and loader (the database, broker topics and simulator stay) */
  stopServices(): Promise<void>;
  close(): Promise<void>;
}

export const AUTH = { 'X-API-Key': TEST_API_KEY };
/** PUBLIC_BASE_URL of tests that register webhooks; the simulator delivers what is registered there to the stack's admin */
export const PUBLIC_BASE_URL = 'https://staysync.example.com';
/** the documented 15 req/10 s per IP and 20 req/10 s per account, on a 1 s window so the suites stay quick */
export const RATES = { perIp: { limit: 15, windowMs: 1000 }, perAccount: { limit: 20, windowMs: 1000 } };
type Rates = typeof RATES;

/** HOSTAWAY_* rate variables for these limits (fetcher and admin: one process, one IP budget). */
export function rateEnv(rates: Rates = RATES): Record<string, string> {
  return {
    HOSTAWAY_IP_RATE: String(rates.perIp.limit),
    HOSTAWAY_ACCOUNT_RATE: String(rates.perAccount.limit),
    HOSTAWAY_RATE_WINDOW_MS: String(rates.perIp.windowMs),
  };
}

/** The fetcher's config against the Hostaway simulator at `simulatorUrl`, paced by RATES. */
export function hostawayFetcherConfig(
  env: Record<string, string>,
  simulatorUrl: string,
  pageSize: number,
  rates: Rates = RATES,
): FetcherConfig {
  return fetcherTestConfig({
    ...env,
    HOSTAWAY_BASE_URL: simulatorUrl,
    HOSTAWAY_PAGE_SIZE: String(pageSize),
    ...rateEnv(rates),
  });
}

export async function startHostawayStack(options: {
  accounts: HostawaySimulatorAccount[];
  adminEnv?: Record<string, string>;
  pageSize?: number;
  /** the simulator's limits, kept by the fetcher and admin alike (default RATES) */
  rates?: Rates;
}): Promise<HostawayStack> {
  const rates = options.rates ?? RATES;
  const prefix = randomTopicPrefix();
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const db = await createTestDatabase();
  const sql = new Client({ connectionString: db.url });
  await sql.connect();
  let adminOrigin = '';
  const simulator = await startHostawaySimulator({
    accounts: options.accounts,
    latencyMs: 5,
    rateLimits: rates,
    resolveWebhookUrl: (url) =>
      url.startsWith(`${PUBLIC_BASE_URL}/`) ? `${adminOrigin}${url.slice(PUBLIC_BASE_URL.length)}` : url,
  });
  const common = { DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, CREDENTIALS_KEYS: keys };
  const logs = { admin: new CapturedLogs(), fetcher: new CapturedLogs(), loader: new CapturedLogs() };
  const apps: NestExpressApplication[] = [];
  apps.push(await startLoader(loaderTestConfig({ ...common, LOG_LEVEL: 'debug' }), logs.loader));
  const fetcherConfig = hostawayFetcherConfig(
    { ...common, LOG_LEVEL: 'debug' },
    simulator.url,
    options.pageSize ?? 5,
    rates,
  );
  const fetcher = (
    await startFetcher(fetcherConfig, { instanceId: 'fetcher-hostaway', logStream: logs.fetcher })
  ).app;
  apps.push(fetcher);
  const { app: admin } = await startAdmin(
    adminTestConfig({
      ...common,
      LOG_LEVEL: 'debug',
      HOSTAWAY_BASE_URL: simulator.url,
      HOSTAWAY_WEBHOOK_POLL_MS: '100',
      ...rateEnv(rates),
      ...options.adminEnv,
    }),
    logs.admin,
  );
  await admin.listen(0);
  apps.push(admin);
  adminOrigin = `http://127.0.0.1:${(admin.getHttpServer().address() as AddressInfo).port}`;
  const webhookUrl = `${adminOrigin}/api/v1/hostaway/webhooks`;
  const api = () => request(admin.getHttpServer());
  return {
    prefix,
    keys,
    db,
    sql,
    simulator,
    admin,
    webhookUrl,
    logs,
    api,
    async sync(accountId, mode = 'full') {
      const { body } = await api()
        .post(`/api/v1/hostaway/accounts/${accountId}/sync?mode=${mode}`)
        .set(AUTH)
        .expect(202);
      return (await waitForJob(
        sql,
        body.job_id,
        (j) => j.finished_at !== null,
        `${mode} sync finished`,
        60_000,
      )) as never;
    },
    async createAccount(body) {
      await api().post('/api/v1/hostaway/accounts').set(AUTH).send(body).expect(201);
      const { rows } = await sql.query(`SELECT id FROM ops.sync_jobs WHERE source = 'hostaway'`);
      return (await waitForJob(
        sql,
        rows[0].id,
        (j) => j.finished_at !== null,
        'first full sync',
        60_000,
      )) as never;
    },
    async stopServices() {
      for (const app of apps.splice(0).reverse()) await app.close().catch(() => undefined);
    },
    async close() {
      for (const app of apps.splice(0).reverse()) await app.close().catch(() => undefined);
      await simulator.close();
      await sql.end();
      await db.drop();
    },
  };
}

export interface TopicRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

/** Every record of every topic under `prefix`, from the beginning to the end offsets at call time. */
export async function readAllTopics(prefix: string): Promise<TopicRecord[]> {
  const kafka = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic))
      if (Number(p.high) > Number(p.low)) ends.set(`${topic}/${p.partition}`, Number(p.high));
  }
  await admin.disconnect();
  return readUntil(kafka, topics, ends);
}

/** The records of one topic (name without prefix), in partition and offset order. */
export async function readTopic(prefix: string, baseName: string): Promise<TopicRecord[]> {
  return (await readAllTopics(prefix)).filter((r) => r.topic === `${prefix}${baseName}`);
}

async function readUntil(kafka: Kafka, topics: string[], ends: Map<string, number>): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  if (ends.size === 0) return records;
  const consumer = kafka.consumer({ groupId: randomGroupId('hostaway-read'), ...FAST_CONSUMER });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const remaining = new Set(ends.keys());
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out reading topics; still waiting on ${[...remaining].join(', ')}`)),
      30_000,
    );
    void consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const slot = `${topic}/${partition}`;
        const end = ends.get(slot);
        if (end === undefined || Number(message.offset) >= end) return;
        records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? '',
        });
        if (Number(message.offset) + 1 >= end) remaining.delete(slot);
        if (remaining.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  try {
    await done;
  } finally {
    await consumer.disconnect();
  }
  return records.sort(
    (a, b) =>
      a.topic.localeCompare(b.topic) || a.partition - b.partition || Number(a.offset) - Number(b.offset),
  );
}

/** Every row of every table of the given schemas, as JSON text (one line per row, prefixed by the table). */
export async function dumpTables(
  sql: Client,
  schemas: string[] = ['airbnb', 'hostaway', 'ops', 'public'],
): Promise<string[]> {
  const { rows: tables } = await sql.query<{ name: string }>(
    `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
      WHERE table_schema = ANY($1) AND table_type IN ('BASE TABLE', 'VIEW') ORDER BY 1`,
    [schemas],
  );
  const lines: string[] = [];
  for (const { name } of tables) {
    const { rows } = await sql.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${name} t`);
    for (const { row } of rows) lines.push(`${name} ${row}`);
  }
  return lines;
}
