import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client, type Pool } from 'pg';
import { loadFetcherConfig } from '@staysync/config';
import { todayUtc } from '@staysync/core';
import { createPool, migrateUp } from '@staysync/db';
import { allMigrations } from '@staysync/runtime';
import { topicName } from '@staysync/kafka';
import { publishBatchSize } from '@staysync/source-airbnb';
import { startAirbnbSimulator, type AirbnbSimulator } from '@staysync/simulators';
import { createSimulatedAirbnbAccounts } from '../commands/simulated-accounts';
import { expectedCounts, SCRAPE_DAYS_SQL, scrapeDaysOf, type ExpectedCounts } from '../bench/expected';
import { startInfrastructure } from '../commands/infrastructure';
import {
  COMPARED_TABLES,
  cleanRunOnSameDays,
  formatTable,
  judge,
  percent,
  tableFiguresSql,
  type DeadLetterStage,
  type PoisonFigures,
  type RunFigures,
  type TableFigures,
} from './figures';
import { POISON_ACCOUNT, poisonMessages, poisonStage } from './poison';
import { SCENARIOS, SkipScenario, type RunControl, type Scenario, type ScenarioOptions } from './scenarios';
import { freePort, ServiceProcess, sleep, type Death, type ServiceKind } from './services';

export interface ChaosOptions {
  scenario?: string[];
  json?: boolean;
  accounts?: string;
  listings?: string;
  lookaheadWeeks?: string;
  pacingMs?: string;
  poison?: string;
  restartDatabase?: boolean;
  brokerPauseS?: string;
  leaseMs?: string;
  timeoutS?: string;
  /** tests: the database server and broker to use (nothing is started for them) */
  infrastructure?: { serverUrl: string; brokers: string; brokerPid?: number; databasePrefix: string };
}

export interface ChaosReport {
  date: string;
  sizes: {
    accounts: number;
    listings: number;
    lookahead_weeks: number;
    pacing_ms: number;
    poison: number;
    fetcher_concurrency: number;
    publish_batch: number;
  };
  broker: string;
  hash: { tables: Record<string, string[]>; note: string };
  expected: ExpectedCounts;
  clean: RunFigures;
  /** further clean runs, when a scenario's sync was scraped on other days than the first clean run's */
  clean_reruns?: RunFigures[];
  scenarios: RunFigures[];
  ok: boolean;
}

const log = (line: string) => process.stderr.write(`${line}\n`);
const GRAPHQL_OPERATIONS = ['ListingsSectionQuery', 'ChartQuery', 'ListOfMetricsQuery'];

/**
 * `npm run cli -- chaos`: admin, fetcher(s) and loader(s) as separate OS processes on the local broker
 * and a database of its own, against the in-process Airbnb simulator. A clean run first, then per
 * scenario a run with its fault mid-sync; each run on a fresh clone of the migrated database and its
 * own topic prefix. Progress on stderr, the table on stderr, the figures as one JSON line on stdout.
 */
export async function chaosCommand(options: ChaosOptions): Promise<ChaosReport> {
  const scenarios = selectScenarios(options.scenario);
  const sizes = {
    accounts: positive(options.accounts ?? '4', '--accounts'),
    listings: positive(options.listings ?? '3', '--listings'),
    lookahead_weeks: positive(options.lookaheadWeeks ?? '4', '--lookahead-weeks'),
    pacing_ms: Number(options.pacingMs ?? '250'),
    poison: positive(options.poison ?? '10000', '--poison'),
    fetcher_concurrency: 0,
    /** responses a fetcher holds per account before one Kafka send (what a kill -9 loses) */
    publish_batch: 0,
  };
  sizes.fetcher_concurrency = sizes.accounts;
  sizes.publish_batch = publishBatchSize(sizes.pacing_ms);
  const scenarioOptions = (brokerPid?: number): ScenarioOptions => ({
    brokerPid,
    restartDatabase: options.restartDatabase ?? false,
    brokerPauseMs: Number(options.brokerPauseS ?? '30') * 1000,
  });

  const infra = options.infrastructure
    ? {
        databaseUrl: withDatabase(
          options.infrastructure.serverUrl,
          `${options.infrastructure.databasePrefix}_tpl`,
        ),
        brokers: options.infrastructure.brokers,
        broker: 'external',
        brokerPid: options.infrastructure.brokerPid,
        stop: async () => undefined,
        fresh: true,
      }
    : {
        ...(await startInfrastructure({
          database: 'staysync_chaos',
          label: 'chaos',
          embeddedPort: 54331,
          log,
        })),
        fresh: false,
      };
  const databasePrefix = options.infrastructure?.databasePrefix ?? 'staysync_chaos';
  const serverUrl = withDatabase(infra.databaseUrl, 'postgres');
  const runDatabases: string[] = [];
  let simulator: AirbnbSimulator | undefined;
  try {
    const template = new URL(infra.databaseUrl).pathname.slice(1);
    if (infra.fresh) await adminQuery(serverUrl, `CREATE DATABASE ${template}`);
    await migrateUp(infra.databaseUrl, allMigrations(), { silent: true });
    const accountIds = Array.from({ length: sizes.accounts }, (_, i) => String(800000001 + i));
    simulator = await startAirbnbSimulator({
      accounts: accountIds.map((accountId) => ({ accountId, listingCount: sizes.listings })),
      latencyMs: 5,
      today: () => todayUtc(),
    });
    const runId = `chaos${randomBytes(3).toString('hex')}`;
    const logDir = mkdtempSync(join(tmpdir(), 'staysync-chaos-'));
    const credentialsKeys = `chaos:${randomBytes(32).toString('base64')}`;
    const apiKey = `chaos-${randomBytes(12).toString('hex')}`;
    const baseEnv: Record<string, string> = {
      KAFKA_BROKERS: infra.brokers,
      CREDENTIALS_KEYS: credentialsKeys,
      ADMIN_API_KEYS: `chaos:${apiKey}`,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      SCHEDULER_ENABLED: 'false',
      RETENTION_ENABLED: 'false',
      OUTBOX_POLL_MS: '100',
      AIRBNB_BASE_URL: simulator.url,
      AIRBNB_MIN_INTERVAL_MS: String(sizes.pacing_ms),
      AIRBNB_JITTER_MS: '0',
      AIRBNB_LISTING_PAUSE_MS: '0',
      AIRBNB_LISTING_PAUSE_JITTER_MS: '0',
      AIRBNB_RETRY_BASE_MS: '100',
      AIRBNB_LOOKAHEAD_WEEKS: String(sizes.lookahead_weeks),
      FETCHER_ACCOUNT_CONCURRENCY: String(sizes.fetcher_concurrency),
      FETCHER_JOB_LEASE_MS: options.leaseMs ?? '10000',
      FETCHER_SWEEP_INTERVAL_MS: '1000',
    };
    const sim = simulator;
    const fetcherConfig = loadFetcherConfig({ ...baseEnv, DATABASE_URL: infra.databaseUrl, PORT: '0' });
    const planOn = (scrapeDays: Record<string, string>) =>
      expectedCounts(
        accountIds.map((id) => ({ listings: sim.listingsFor(id), scrapeDay: scrapeDays[id] })),
        fetcherConfig,
      );
    const firstDay = todayUtc();
    const plannedAtStart = planOn(Object.fromEntries(accountIds.map((id) => [id, firstDay]))).requests;
    log(
      `chaos: ${sizes.accounts} account(s) × ${sizes.listings} listing(s), ${sizes.lookahead_weeks} weeks → ${plannedAtStart} requests planned; broker ${infra.broker} at ${infra.brokers}; service logs in ${logDir}`,
    );

    const runner: Runner = {
      serverUrl,
      template,
      databasePrefix,
      runId,
      logDir,
      baseEnv,
      apiKey,
      accountIds,
      simulator,
      planOn,
      firstDay,
      plannedAtStart,
      sizes,
      brokers: infra.brokers,
      runDatabases,
      timeoutMs: Number(options.timeoutS ?? '300') * 1000,
    };
    log('[clean] no fault');
    const clean = judge(await runOnce(runner, null, scenarioOptions(infra.brokerPid)), null);
    const cleanRuns = [clean];
    // The windows and the values upstream answers move with the scrape day, so a scenario is compared
    // with a clean run of the same days: one more when a run crossed midnight UTC since the first. When
    // that one scraped other days again (its accounts straddled midnight), the scenario is judged on its
    // planned counts alone (equals_clean null).
    const cleanRunLike = async (figures: Figures): Promise<RunFigures | null> => {
      const same = cleanRunOnSameDays(cleanRuns, figures);
      if (same) return same;
      const days = [...new Set(Object.values(figures.scrape_days))].join(', ');
      log(
        `[clean] ${figures.scenario} scraped on ${days}, not the clean run's days: a clean run to compare with`,
      );
      const again = judge(
        await runOnce(runner, null, scenarioOptions(infra.brokerPid), `clean-${cleanRuns.length + 1}`),
        null,
      );
      cleanRuns.push(again);
      if (cleanRunOnSameDays([again], figures)) return again;
      log(
        `[clean] ${again.scenario} scraped on other days again: ${figures.scenario} is not compared with a clean run`,
      );
      return null;
    };
    const results: RunFigures[] = [];
    for (const [i, scenario] of scenarios.entries()) {
      log(`[${i + 1}/${scenarios.length}] ${scenario.name}: ${scenario.fault}`);
      const reason = scenario.skip?.(scenarioOptions(infra.brokerPid));
      const figures = reason
        ? skipped(scenario, reason)
        : await runOnce(runner, scenario, scenarioOptions(infra.brokerPid));
      if (figures.skipped) log(`  skipped: ${figures.skipped}`);
      results.push(judge(figures, figures.skipped ? clean : await cleanRunLike(figures)));
    }
    const report: ChaosReport = {
      date: new Date().toISOString(),
      sizes,
      broker: infra.broker,
      hash: {
        tables: Object.fromEntries(COMPARED_TABLES.map((t) => [t.name, t.volatile])),
        note: 'per table: md5 over the sorted md5s of each distinct row as jsonb without the listed volatile columns (ingestion timestamps, fetching job); rows of the poison account are left out',
      },
      expected: planOn(clean.scrape_days),
      clean,
      ...(cleanRuns.length > 1 ? { clean_reruns: cleanRuns.slice(1) } : {}),
      scenarios: results,
      ok: cleanRuns.every((r) => r.ok) && results.every((r) => r.ok),
    };
    log(formatTable([...cleanRuns, ...results]));
    process.stdout.write(`${JSON.stringify(report)}\n`);
    return report;
  } finally {
    await simulator?.close();
    for (const name of runDatabases)
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    if (infra.fresh)
      await adminQuery(
        serverUrl,
        `DROP DATABASE IF EXISTS ${new URL(infra.databaseUrl).pathname.slice(1)} WITH (FORCE)`,
      ).catch(() => undefined);
    await infra.stop();
  }
}

interface Runner {
  serverUrl: string;
  template: string;
  databasePrefix: string;
  runId: string;
  logDir: string;
  baseEnv: Record<string, string>;
  apiKey: string;
  accountIds: string[];
  simulator: AirbnbSimulator;
  /** what a sync plans with each account's job on the given scrape day */
  planOn: (scrapeDays: Record<string, string>) => ExpectedCounts;
  /** the UTC day the run started on (the plan of a job never claimed) */
  firstDay: string;
  /** the plan on firstDay: only to place a fault at a share of the sync */
  plannedAtStart: number;
  sizes: ChaosReport['sizes'];
  brokers: string;
  runDatabases: string[];
  timeoutMs: number;
}

type Figures = Omit<RunFigures, 'identical' | 'ok' | 'delay_s'>;

/** One sync of every account on a fresh database and topic prefix, with the scenario's fault (none: the clean run). */
async function runOnce(
  runner: Runner,
  scenario: Scenario | null,
  scenarioOptions: ScenarioOptions,
  name = scenario?.name ?? 'clean',
): Promise<Figures> {
  const started = Date.now();
  const database = `${runner.databasePrefix}_${name.replaceAll('-', '_')}`;
  await adminQuery(runner.serverUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await adminQuery(runner.serverUrl, `CREATE DATABASE ${database} TEMPLATE ${runner.template}`);
  runner.runDatabases.push(database);
  const databaseUrl = withDatabase(runner.serverUrl, database);
  const prefix = `${runner.runId}.${name}.`;
  const env = { ...runner.baseEnv, DATABASE_URL: databaseUrl, KAFKA_TOPIC_PREFIX: prefix };
  const deaths: Death[] = [];
  const signalled: RunFigures['signalled'] = [];
  const services: ServiceProcess[] = [];
  const counters: Record<ServiceKind, number> = { admin: 0, fetcher: 0, loader: 0 };
  const newService = async (
    kind: ServiceKind,
    options: { waitReady?: boolean } = {},
  ): Promise<ServiceProcess> => {
    const service = new ServiceProcess(
      `${name}-${kind}-${++counters[kind]}`,
      kind,
      await freePort(),
      env,
      runner.logDir,
      (death) => {
        deaths.push(death);
        log(`  ${death.service} died (status ${death.status}):\n${death.logTail}`);
      },
    );
    services.push(service);
    await service.start(options);
    return service;
  };
  const pool = createPool({ connectionString: databaseUrl, max: 2 }, () => undefined);
  runner.simulator.reset();
  let poison: PoisonFigures | undefined;
  let dlq: DlqCounter | undefined;
  let faultEnd: number | null = null;
  let skippedReason: string | undefined;
  try {
    const [admin, ...rest] = await Promise.all([
      newService('admin'),
      newService('fetcher'),
      ...Array.from({ length: scenario?.loaders ?? 1 }, () => newService('loader')),
    ]);
    const fetchers = [rest[0]];
    const loaders = rest.slice(1);
    log(
      `  ${services.length} services up (${services.map((s) => s.name.replace(`${name}-`, '')).join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    await createSimulatedAirbnbAccounts(admin.port, runner.apiKey, runner.accountIds, 'chaos');

    const control: RunControl = {
      log,
      fetchers,
      loaders,
      untilFetched: (share) => untilFetched(pool, share * runner.plannedAtStart, runner.timeoutMs),
      async signal(service, signal) {
        const status = await service.kill(signal);
        signalled.push({ service: service.name, signal, status });
        log(`  ${signal} → ${service.name}: exited with status ${status}`);
      },
      async startService(kind) {
        // the fault ends when the replacement runs; how long it takes to be ready is part of the recovery
        const spawnedAt = Date.now();
        const service = await newService(kind, { waitReady: false });
        (kind === 'fetcher' ? fetchers : loaders).push(service);
        log(`  ${service.name} started`);
        service.ready.then(
          () =>
            log(`  ${service.name} ready ${((Date.now() - spawnedAt) / 1000).toFixed(1)} s after its spawn`),
          () => undefined,
        );
        return spawnedAt;
      },
      terminateConnections: () => terminateConnections(runner.serverUrl, database),
      brokerPid: scenarioOptions.brokerPid,
      databaseServer: {
        host: new URL(runner.serverUrl).hostname,
        port: Number(new URL(runner.serverUrl).port || 5432),
      },
      async producePoison() {
        dlq = await countDeadLetters(runner.brokers, topicName('dlq', prefix), `${prefix}chaos-dlq`);
        const messages = poisonMessages(runner.sizes.poison, todayUtc(), new Date().toISOString());
        await produce(runner.brokers, topicName('raw.airbnb', prefix), messages);
        log(`  ${messages.length} poison messages produced to ${topicName('raw.airbnb', prefix)}`);
      },
    };
    if (scenario) {
      try {
        faultEnd = await scenario.inject(control, scenarioOptions);
      } catch (error) {
        if (!(error instanceof SkipScenario)) throw error;
        skippedReason = error.message;
      }
    }
    if (skippedReason) return skipped(scenario!, skippedReason);
    const jobs = await waitForJobs(pool, runner.accountIds.length, runner.timeoutMs);
    if (scenario?.poison && dlq)
      poison = await poisonFigures(pool, dlq, runner.sizes.poison, runner.timeoutMs);
    // A job never claimed (stuck) is planned on the run's first day; the verdict fails it as stuck.
    const claimed = scrapeDaysOf(
      await query<{ account_id: string; day: string }>(pool, SCRAPE_DAYS_SQL, [runner.accountIds]),
    );
    const scrapeDays = Object.fromEntries(
      runner.accountIds.map((id) => [id, claimed[id] ?? runner.firstDay]),
    );
    const expected = runner.planOn(scrapeDays);
    const tables = await tableFigures(pool, expected);
    const stats = runner.simulator.stats();
    const calls = GRAPHQL_OPERATIONS.reduce((sum, op) => sum + (stats.byOperation[op] ?? 0), 0);
    const lastFinish = jobs.rows.reduce((max, j) => Math.max(max, j.finished_at?.getTime() ?? 0), 0);
    const figures: Figures = {
      scenario: name,
      fault: scenario?.fault ?? 'none',
      scrape_days: scrapeDays,
      tables: Object.fromEntries(Object.entries(tables).map(([n, t]) => [n, { ...t, equals_clean: null }])),
      upstream: {
        planned: expected.requests,
        calls,
        duplicates: calls - expected.requests,
        duplicate_bound: scenario ? runner.sizes.fetcher_concurrency * runner.sizes.publish_batch : 0,
        preflight: stats.byOperation.preflight ?? 0,
      },
      recovery_s:
        faultEnd === null || jobs.stuck > 0
          ? null
          : Math.max(0, Math.round((lastFinish - faultEnd) / 100) / 10),
      sync_s:
        jobs.stuck > 0
          ? null
          : Math.round((lastFinish - Math.min(...jobs.rows.map((j) => j.created_at.getTime()))) / 100) / 10,
      jobs: {
        total: jobs.rows.length,
        succeeded: jobs.rows.filter((j) => j.status === 'succeeded').length,
        failed: jobs.rows.filter((j) => j.status === 'failed').length,
        stuck: jobs.stuck,
      },
      died: deaths.map(({ service, status }) => ({ service, status })),
      signalled,
      ...(poison ? { poison } : {}),
      duration_s: Math.round((Date.now() - started) / 100) / 10,
    };
    log(
      `  ${name}: rows ${Object.entries(tables)
        .map(([n, t]) => `${n} ${t.stored}/${t.expected}`)
        .join(', ')}; calls ${calls}/${expected.requests}; ` +
        `recovery ${figures.recovery_s ?? '—'} s; stuck ${jobs.stuck}; died ${deaths.length}${poison ? `; poison DLQ ${JSON.stringify(poison.dead_lettered)}` : ''}`,
    );
    return figures;
  } finally {
    await dlq?.stop();
    // the run's own stop: not a death
    await Promise.all(services.filter((s) => s.running).map((s) => s.stop()));
    await pool.end().catch(() => undefined);
  }
}

function skipped(scenario: Scenario, reason: string): Figures {
  return {
    scenario: scenario.name,
    fault: scenario.fault,
    skipped: reason,
    scrape_days: {},
    tables: {},
    upstream: { planned: 0, calls: 0, duplicates: 0, duplicate_bound: 0, preflight: 0 },
    recovery_s: null,
    sync_s: null,
    jobs: { total: 0, succeeded: 0, failed: 0, stuck: 0 },
    died: [],
    signalled: [],
    duration_s: 0,
  };
}

function selectScenarios(names: string[] | undefined): Scenario[] {
  if (!names || names.length === 0) return SCENARIOS;
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}: expected ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  return SCENARIOS.filter((s) => names.includes(s.name));
}

interface JobRow {
  status: string;
  planned: number;
  fetched: number;
  loaded: number;
  failed: number;
  finished_at: Date | null;
  created_at: Date;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** Queries that fail while the database is cut off are retried: the chaos run outlives its faults. */
async function query<T extends object>(pool: Pool, sql: string, params: unknown[] = []): Promise<T[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return (await pool.query<T>(sql, params)).rows;
    } catch (error) {
      if (attempt >= 120) throw error;
      await sleep(500);
    }
  }
}

async function jobRows(pool: Pool): Promise<JobRow[]> {
  return query<JobRow>(
    pool,
    `SELECT status, planned, fetched, loaded, failed, finished_at, created_at FROM ops.sync_jobs WHERE source = 'airbnb'`,
  );
}

async function untilFetched(pool: Pool, requests: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await jobRows(pool);
    if (rows.reduce((sum, j) => sum + j.fetched, 0) >= requests) return;
    if (rows.length > 0 && rows.every((j) => TERMINAL.has(j.status)))
      throw new Error(
        `the jobs ended before ${Math.round(requests)} requests were fetched: the fault would not be mid-sync`,
      );
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${Math.round(requests)} fetched requests`);
    await sleep(100);
  }
}

/** Until every account's job ended (or the timeout: the rest are stuck), with a progress line as it changes. */
async function waitForJobs(
  pool: Pool,
  jobs: number,
  timeoutMs: number,
): Promise<{ rows: JobRow[]; stuck: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let lastLogged = 0;
  for (;;) {
    const rows = await jobRows(pool);
    const done = rows.length >= jobs && rows.every((j) => TERMINAL.has(j.status));
    const line = `  jobs: ${rows.filter((j) => TERMINAL.has(j.status)).length}/${rows.length} ended; loaded/fetched/planned ${sum(rows, 'loaded')}/${sum(rows, 'fetched')}/${sum(rows, 'planned')}`;
    if (line !== last && (done || Date.now() - lastLogged > 5000)) {
      log(line);
      last = line;
      lastLogged = Date.now();
    }
    if (done) return { rows, stuck: 0 };
    if (Date.now() > deadline)
      return {
        rows,
        stuck: Math.max(jobs - rows.length, 0) + rows.filter((j) => !TERMINAL.has(j.status)).length,
      };
    await sleep(250);
  }
}

const sum = (rows: JobRow[], key: 'loaded' | 'fetched' | 'planned') => rows.reduce((s, j) => s + j[key], 0);

async function tableFigures(pool: Pool, expected: ExpectedCounts): Promise<Record<string, TableFigures>> {
  const wanted: Record<string, number> = { ...expected.rows, raw_responses: expected.requests };
  const figures: Record<string, TableFigures> = {};
  for (const table of COMPARED_TABLES) {
    const [row] = await query<{ rows: number; stored: number; hash: string }>(pool, tableFiguresSql(table), [
      [POISON_ACCOUNT],
    ]);
    figures[table.name] = {
      expected: wanted[table.name],
      stored: row.stored,
      rows: row.rows,
      hash: row.hash,
    };
  }
  return figures;
}

interface DlqCounter {
  counts(): Record<string, number>;
  stop(): Promise<void>;
}

/** Reads the DLQ topic from its start and counts the poison's letters by the stage that wrote them. */
async function countDeadLetters(brokers: string, topic: string, groupId: string): Promise<DlqCounter> {
  const kafka = new Kafka({
    brokers: brokers.split(','),
    clientId: 'staysync-chaos',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  // the loader creates its topics at start-up; the DLQ must be there before we subscribe
  await admin.createTopics({ topics: [{ topic }], waitForLeaders: true }).catch(() => undefined);
  await admin.disconnect();
  const consumer: Consumer = kafka.consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 200,
  });
  const counts: Record<string, number> = {};
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const kind = poisonStage(message.key?.toString('utf8') ?? null);
      if (!kind || !message.value) return;
      // JSON, or the Schema Registry's wire format (magic byte, 4-byte schema id, JSON)
      const text = (message.value[0] === 0 ? message.value.subarray(5) : message.value).toString('utf8');
      const stage = (JSON.parse(text) as { stage: string }).stage;
      counts[`${kind}:${stage}`] = (counts[`${kind}:${stage}`] ?? 0) + 1;
    },
  });
  return { counts: () => ({ ...counts }), stop: () => consumer.disconnect() };
}

async function produce(
  brokers: string,
  topic: string,
  messages: Array<{ key: string; value: Buffer }>,
): Promise<void> {
  const kafka = new Kafka({
    brokers: brokers.split(','),
    clientId: 'staysync-chaos',
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 1000)
      await producer.send({ topic, messages: messages.slice(i, i + 1000) });
  } finally {
    await producer.disconnect();
  }
}

/** Waits until every poison message has its letter (or the timeout), then the figures per kind. */
async function poisonFigures(
  pool: Pool,
  dlq: DlqCounter,
  produced: number,
  timeoutMs: number,
): Promise<PoisonFigures> {
  const kinds: DeadLetterStage[] = ['decode', 'validate', 'parse'];
  const perKind = Object.fromEntries(
    kinds.map((k, i) => [k, Math.floor(produced / 3) + (i < produced % 3 ? 1 : 0)]),
  ) as Record<DeadLetterStage, number>;
  const deadline = Date.now() + timeoutMs;
  let counts = dlq.counts();
  while (Object.values(counts).reduce((a, b) => a + b, 0) < produced && Date.now() < deadline) {
    await sleep(250);
    counts = dlq.counts();
  }
  const [kept] = await query<{ n: number }>(
    pool,
    `SELECT count(DISTINCT request_key)::int AS n FROM airbnb.raw_responses WHERE account_id = $1`,
    [POISON_ACCOUNT],
  );
  return {
    produced: perKind,
    dead_lettered: counts,
    percent: Object.fromEntries(
      kinds.map((k) => [k, percent(counts[`${k}:${k}`] ?? 0, perKind[k])]),
    ) as Record<DeadLetterStage, number>,
    kept_in_raw_store: kept.n,
  };
}

async function terminateConnections(serverUrl: string, database: string): Promise<number> {
  const client = new Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database],
    );
    return rows[0].n;
  } finally {
    await client.end();
  }
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}
