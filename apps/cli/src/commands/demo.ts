import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Pool } from 'pg';
import { loadAdminConfig, loadFetcherConfig, loadLoaderConfig } from '@staysync/config';
import { todayUtc } from '@staysync/core';
import { migrateUp } from '@staysync/db';
import { allMigrations } from '@staysync/runtime';
import {
  startAirbnbSimulator,
  startHostawaySimulator,
  type AirbnbSimulator,
  type AirbnbSimulatorStats,
  type HostawaySimulator,
} from '@staysync/simulators';
import { createAdminApp } from '../../../admin/src/bootstrap';
import { createFetcherApp } from '../../../fetcher/src/bootstrap';
import { createLoaderApp } from '../../../loader/src/bootstrap';
import { startInfrastructure } from './infrastructure';
import { createSimulatedAirbnbAccounts } from './simulated-accounts';

export interface DemoOptions {
  once?: boolean;
  accounts?: string;
  listings?: string;
  lookaheadWeeks?: string;
  port?: string;
  /** database (re)created on the server at DATABASE_URL; tests give each run its own */
  database?: string;
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
  const infra = await startInfrastructure({
    database: options.database ?? DEMO_DATABASE,
    label: 'demo',
    embeddedPort: 54329,
    log,
  });
  const apps: INestApplication[] = [];
  let simulator: AirbnbSimulator | undefined;
  let hostaway: HostawaySimulator | undefined;
  let result: DemoSummary | undefined;
  try {
    await migrateUp(infra.databaseUrl, allMigrations(), { silent: true });
    const accountIds = Array.from({ length: accountCount }, (_, i) => String(700000001 + i));
    simulator = await startAirbnbSimulator({
      accounts: accountIds.map((accountId) => ({ accountId, listingCount })),
      today: () => todayUtc(),
    });
    hostaway = await startHostawaySimulator({
      accounts: [DEMO_HOSTAWAY_ACCOUNT],
      latencyMs: 20,
      rateLimits: DEMO_HOSTAWAY_RATES,
    });
    const apiKey = `demo-${randomBytes(12).toString('hex')}`;
    const env = {
      DATABASE_URL: infra.databaseUrl,
      KAFKA_BROKERS: infra.brokers,
      KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? 'demo.',
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
      AIRBNB_LISTING_PAUSE_JITTER_MS: '0',
      AIRBNB_LOOKAHEAD_WEEKS: options.lookaheadWeeks ?? '25',
      HOSTAWAY_BASE_URL: hostaway.url,
      // the documented 15 req/10 s per IP and 20 req/10 s per account, on a 1 s window (the simulator enforces the same)
      HOSTAWAY_IP_RATE: String(DEMO_HOSTAWAY_RATES.perIp.limit),
      HOSTAWAY_ACCOUNT_RATE: String(DEMO_HOSTAWAY_RATES.perAccount.limit),
      HOSTAWAY_RATE_WINDOW_MS: String(DEMO_HOSTAWAY_RATES.perIp.windowMs),
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
    log(
      `admin API on http://localhost:${adminPort}/docs (X-API-Key: ${apiKey}); simulators ${simulator.url} and ${hostaway.url}`,
    );
    log(`dashboard on http://localhost:${adminPort}/ui/ (sign in with the API key above)`);

    await createSimulatedAirbnbAccounts(adminPort, apiKey, accountIds, 'demo');
    const hostawayAccount = await fetch(`http://127.0.0.1:${adminPort}/api/v1/hostaway/accounts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': apiKey },
      body: JSON.stringify({
        account_id: DEMO_HOSTAWAY_ACCOUNT.accountId,
        client_secret: DEMO_HOSTAWAY_ACCOUNT.clientSecret,
        ...DEMO_WEBHOOK,
      }),
    });
    if (hostawayAccount.status !== 201)
      throw new Error(
        `creating the demo Hostaway account failed: HTTP ${hostawayAccount.status} ${await hostawayAccount.text()}`,
      );
    log(
      `created ${accountIds.length} Airbnb demo accounts and Hostaway account ${DEMO_HOSTAWAY_ACCOUNT.accountId}; their first syncs are queued`,
    );
    log(
      `Hostaway webhooks: POST http://localhost:${adminPort}/api/v1/hostaway/webhooks with Basic ${DEMO_WEBHOOK.webhook_login}:${DEMO_WEBHOOK.webhook_password}`,
    );

    const pool = new Pool({ connectionString: infra.databaseUrl, max: 2 });
    try {
      await watchJobs(pool);
      const summary = await summarize(pool, accountIds.length, simulator.stats(), hostaway, started);
      log(
        `airbnb: listings ${summary.listings}, requests ${summary.requests} (${summary.preflight_requests} of them session preflight pages), rows ${JSON.stringify(summary.rows)}`,
      );
      log(
        `hostaway: requests ${summary.hostaway.requests} (peak ${summary.hostaway.peak_concurrency} in flight, ${summary.hostaway.rate_limited} rate-limited), rows ${JSON.stringify(summary.hostaway.rows)}; ${summary.duration_ms} ms in all`,
      );
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
    await hostaway?.close();
    await infra.stop();
  }
  return result;
}

export type DemoSummary = Awaited<ReturnType<typeof summarize>>;

async function watchJobs(pool: Pool, timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const { rows } = await pool.query<{
      source: string;
      account_id: string;
      status: string;
      planned: number;
      fetched: number;
      loaded: number;
      failed: number;
    }>(
      `SELECT source, account_id, status, planned, fetched, loaded, failed FROM ops.sync_jobs ORDER BY source, account_id`,
    );
    const line = rows
      .map(
        (j) =>
          `${j.source}:${j.account_id} ${j.status} ${j.loaded}/${j.fetched}/${j.planned}${j.failed ? ` failed ${j.failed}` : ''}`,
      )
      .join(' | ');
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

/** The demo's Hostaway account: 4 listings × 5 reservations, each with a 3-message conversation. */
export const DEMO_HOSTAWAY_ACCOUNT = {
  accountId: 10001,
  clientSecret: 'demo-hostaway-secret',
  listings: 4,
  reservationsPerListing: 5,
  messagesPerConversation: 3,
};
const DEMO_HOSTAWAY_RATES = {
  perIp: { limit: 15, windowMs: 1000 },
  perAccount: { limit: 20, windowMs: 1000 },
};
const DEMO_WEBHOOK = { webhook_login: 'demo-hooks', webhook_password: 'demo-webhook-password' };

/** Airbnb figures at the top level (the command's contract), Hostaway's under `hostaway`. */
async function summarize(
  pool: Pool,
  accounts: number,
  airbnb: AirbnbSimulatorStats,
  hostaway: HostawaySimulator,
  started: number,
) {
  const count = async (table: string) =>
    Number((await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n);
  const hostawayStats = hostaway.stats();
  return {
    accounts,
    listings: await count('airbnb.listings'),
    /** every request the Airbnb simulator answered: GraphQL calls and session preflight pages */
    requests: airbnb.requests,
    /** the preflight's pages: the credential check when an account is created, then one per job */
    preflight_requests: airbnb.byOperation.preflight ?? 0,
    rows: {
      chart_query: await count('airbnb.chart_query'),
      list_of_metrics: await count('airbnb.list_of_metrics'),
      chart_summary: await count('airbnb.chart_summary'),
      listings: await count('airbnb.listings'),
    },
    hostaway: {
      accounts: 1,
      requests: hostawayStats.requests,
      peak_concurrency: hostawayStats.peakConcurrency,
      rate_limited: hostawayStats.rateLimited,
      rows: {
        listings: await count('hostaway.listings'),
        reservations: await count('hostaway.reservations'),
        messages: await count('hostaway.messages'),
      },
    },
    duration_ms: Date.now() - started,
  };
}
