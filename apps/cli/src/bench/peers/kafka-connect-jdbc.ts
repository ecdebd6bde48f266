import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { kafkaConnectUnavailable, startLocalKafkaConnect, type LocalKafkaConnect } from '@staysync/kafka';
import { postgresCpuMs, processCpuMs } from '../cpu';
import type { ParsedRows } from '../copy-ceiling';
import { round } from '../fetch-phase';
import { connectRecords } from './connect-records';

export interface KafkaConnectJdbcResult {
  /** `kafka connect <version> standalone + debezium jdbc sink <version>` */
  peer: string;
  records: number;
  topics: number;
  /** rows in the metric tables afterwards */
  rows: number;
  /** from creating the connector to the last row committed (the tables equal the loader's) */
  duration_ms: number;
  rows_per_s: number;
  /** the worker JVM (every thread) and PostgreSQL over the same span; the poll's own queries are in PostgreSQL's */
  cpu_ms: { jvm: number; postgres: number | null };
  /** every timed run (the reported one is the fastest, as for the loader) */
  runs_duration_ms: number[];
  /** what the worker took to start (not timed) */
  worker_start_ms: number;
  connector: Record<string, string>;
}

export interface KafkaConnectJdbcOptions {
  pool: Pool;
  databaseUrl: string;
  brokers: string;
  /** topic names start with it */
  topicPrefix: string;
  parsed: ParsedRows;
  /** what the loader left in the metric tables (`tablesDigest`): the peer is done when its tables equal it */
  expected: TablesDigest;
  log?: (line: string) => void;
  /** JVM heap of the worker, MiB */
  heapMb?: number;
  /** per run */
  timeoutMs?: number;
  /** untimed runs first, so the JVM has compiled the sink's hot code as the loader's warm-up run has (default 1) */
  warmupRuns?: number;
  /** timed runs, the fastest reported (default 3, like the loader) */
  runs?: number;
}

const SEND_BYTES = 512 * 1024;
/** how often the worker commits a sink's consumer offsets (default 60 s): the end of a timed run is read from them */
const OFFSET_COMMIT_MS = 100;
/** Debezium's own default batch is 500; one poll's worth, so each flush is one JDBC batch per table */
const BATCH_SIZE = 2000;

/**
 * Peer 1, the standard way to land Kafka topics in PostgreSQL: Kafka Connect (standalone) with Debezium's
 * JDBC sink in upsert mode on the loader's tables and keys. The parsed rows go, before timing, as JSON
 * records with schemas onto one single-partition topic per table (parse order kept, so later rows of a key
 * update earlier ones as in the loader). Timed from creating the connector on an already started worker
 * to the sink's committed offsets reaching the topics' ends (see waitForCommittedOffsets); then its tables
 * must equal what the loader left (row counts and a digest of every row). After a warm-up run, the fastest of three runs (each a new connector on emptied tables),
 * as the loader is measured.
 */
export async function runKafkaConnectJdbc(options: KafkaConnectJdbcOptions): Promise<KafkaConnectJdbcResult> {
  const log = options.log ?? (() => undefined);
  const unavailable = kafkaConnectUnavailable();
  if (unavailable) throw new Error(unavailable);
  const specs = options.parsed.specs;
  const topicOf = (table: string) => `${options.topicPrefix}connect.${table.replace(/^[^.]+\./, '')}`;
  const topics = specs.map((s) => topicOf(s.table));
  const kafka = new Kafka({
    clientId: 'staysync-bench-connect-peer',
    brokers: options.brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const records = await produceRecords(options, kafka, topicOf);
  const admin = kafka.admin();
  await admin.connect();

  const workerStarted = performance.now();
  const connect = await startLocalKafkaConnect({
    brokers: options.brokers,
    heapMb: options.heapMb ?? 512,
    log,
    workerProperties: {
      'consumer.max.poll.records': BATCH_SIZE,
      'offset.flush.interval.ms': OFFSET_COMMIT_MS,
    },
  }).catch(async (error: unknown) => {
    await admin.disconnect();
    throw error;
  });
  const workerStartMs = performance.now() - workerStarted;
  try {
    const config = connectorConfig(options.databaseUrl, topics, options.topicPrefix);
    const ends = new Map(
      (
        await Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const))
      ).map(([topic, offsets]) => [topic, offsets[0].high]),
    );
    const warmups = options.warmupRuns ?? 1;
    const runs: TimedRun[] = [];
    for (let i = 0; i < warmups + (options.runs ?? 3); i++) {
      const run = await timedRun(
        options,
        { connect, admin, ends },
        `${options.topicPrefix}jdbc-sink-${i}`,
        config,
      );
      if (i >= warmups) runs.push(run);
      log(
        `kafka connect JDBC sink ${i < warmups ? 'warm-up' : `run ${i - warmups + 1}`}: ${run.durationMs.toFixed(0)} ms, JVM CPU ${run.cpu.jvm} ms`,
      );
    }
    const best = runs.reduce((a, b) => (b.durationMs < a.durationMs ? b : a));
    const rows = Object.values(options.expected.counts).reduce((a, b) => a + b, 0);
    return {
      peer: `kafka connect ${connect.versions.kafka} standalone + debezium jdbc sink ${connect.versions.debezium}`,
      records,
      topics: specs.length,
      rows,
      duration_ms: round(best.durationMs),
      rows_per_s: round((rows / best.durationMs) * 1000, 1),
      cpu_ms: best.cpu,
      runs_duration_ms: runs.map((run) => round(run.durationMs)),
      worker_start_ms: round(workerStartMs),
      connector: Object.fromEntries(Object.entries(config).filter(([k]) => !k.startsWith('connection.'))),
    };
  } finally {
    await connect.stop();
    await admin.disconnect();
  }
}

/** the worker, an admin client of the broker, and each topic's end offset (one partition each) */
interface Harness {
  connect: LocalKafkaConnect;
  admin: Admin;
  ends: Map<string, string>;
}

interface TimedRun {
  durationMs: number;
  cpu: { jvm: number; postgres: number | null };
}

/** One connector (its own consumer group, so it reads the topics from the start) on empty tables, timed, then deleted. */
async function timedRun(
  options: KafkaConnectJdbcOptions,
  harness: Harness,
  name: string,
  config: Record<string, string>,
): Promise<TimedRun> {
  const { connect } = harness;
  await options.pool.query(`TRUNCATE ${options.parsed.specs.map((s) => s.table).join(', ')}`);
  const cpuAtStart = { jvm: processCpuMs(connect.pid), postgres: postgresCpuMs() };
  const started = performance.now();
  await connect.createConnector(name, config);
  await waitForCommittedOffsets(options, harness, name);
  const durationMs = performance.now() - started;
  const jvmEnd = processCpuMs(connect.pid);
  const postgresEnd = postgresCpuMs();
  await connect.deleteConnector(name);
  await expectLoaderRows(options);
  return {
    durationMs,
    cpu: {
      jvm: jvmEnd === null || cpuAtStart.jvm === null ? 0 : jvmEnd - cpuAtStart.jvm,
      postgres:
        postgresEnd === null || cpuAtStart.postgres === null ? null : postgresEnd - cpuAtStart.postgres,
    },
  };
}

async function produceRecords(
  options: KafkaConnectJdbcOptions,
  kafka: Kafka,
  topicOf: (table: string) => string,
): Promise<number> {
  const admin = kafka.admin();
  const producer = kafka.producer();
  let records = 0;
  await admin.connect();
  await producer.connect();
  try {
    const specs = options.parsed.specs;
    await admin.createTopics({
      topics: specs.map((s) => ({ topic: topicOf(s.table), numPartitions: 1, replicationFactor: 1 })),
      waitForLeaders: true,
    });
    for (const spec of specs) {
      const messages = connectRecords(spec, options.parsed.byTable.get(spec.table) ?? []);
      // a record with its schema is ~2 KB; one send is one record batch, which the broker caps at 1 MiB
      for (let i = 0, bytes = 0, from = 0; i <= messages.length; i++) {
        const size = i < messages.length ? messages[i].key.length + messages[i].value.length : Infinity;
        if (i > from && bytes + size > SEND_BYTES) {
          await producer.send({ topic: topicOf(spec.table), messages: messages.slice(from, i), acks: -1 });
          [from, bytes] = [i, 0];
        }
        bytes += size;
      }
      records += messages.length;
    }
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
  return records;
}

/** The JDBC sink's configuration: upsert on the conflict key, tables pre-created (no schema evolution). */
export function connectorConfig(
  databaseUrl: string,
  topics: string[],
  topicPrefix: string,
): Record<string, string> {
  const url = new URL(databaseUrl);
  return {
    'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
    // one task per topic partition, the parallelism Connect offers here: with one task the sink waits on
    // its commits in turn (it flushes whenever a table's value schema changes, i.e. at every response)
    'tasks.max': String(topics.length),
    topics: topics.join(','),
    'connection.url': `jdbc:postgresql://${url.hostname}:${url.port || 5432}${url.pathname}`,
    'connection.username': decodeURIComponent(url.username || 'postgres'),
    'connection.password': decodeURIComponent(url.password),
    'insert.mode': 'upsert',
    'primary.key.mode': 'record_key',
    'schema.evolution': 'none',
    'delete.enabled': 'false',
    'batch.size': String(BATCH_SIZE),
    // `<prefix>connect.chart_query` → table `airbnb.chart_query` (the sink would turn the topic's dots into `_`)
    transforms: 'table',
    'transforms.table.type': 'org.apache.kafka.connect.transforms.RegexRouter',
    'transforms.table.regex': `${escapeRegex(topicPrefix)}connect\\.(.*)`,
    'transforms.table.replacement': '$1',
    'collection.name.format': 'airbnb.${topic}',
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Row counts per metric table and an md5 over every row (sorted; created_at/updated_at left out). */
export interface TablesDigest {
  counts: Record<string, number>;
  md5: Record<string, string>;
}

export async function tablesDigest(pool: Pool, tables: string[]): Promise<TablesDigest> {
  const digest: TablesDigest = { counts: {}, md5: {} };
  for (const table of tables) {
    const { rows } = await pool.query<{ n: number; md5: string | null }>(
      `SELECT count(*)::int AS n, md5(string_agg(r, E'\\n' ORDER BY r)) AS md5
         FROM (SELECT (to_jsonb(t) - 'created_at' - 'updated_at')::text AS r FROM ${table} t) s`,
    );
    digest.counts[table] = rows[0].n;
    digest.md5[table] = rows[0].md5 ?? '';
  }
  return digest;
}

/**
 * Polls (every 50 ms) the sink's consumer group until its committed offsets reach every topic's end. A sink
 * task's offsets are committed only after `put()` returned, and the JDBC sink's `put()` writes and commits
 * its batch, so the last row is committed by then (at most one OFFSET_COMMIT_MS earlier). Polling the
 * broker, not the tables, keeps the measurement's own queries off the database. Fails at once when the
 * connector or a task failed.
 */
async function waitForCommittedOffsets(
  options: KafkaConnectJdbcOptions,
  harness: Harness,
  name: string,
): Promise<void> {
  const { connect, admin, ends } = harness;
  const topics = [...ends.keys()];
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let nextStatus = Date.now() + 1000;
  let committed = new Map<string, string>();
  for (;;) {
    const groups = await admin.fetchOffsets({ groupId: `connect-${name}`, topics });
    committed = new Map(groups.map((g) => [g.topic, g.partitions[0]?.offset ?? '-1']));
    if (topics.every((t) => committed.get(t) === ends.get(t))) return;
    if (Date.now() >= nextStatus) {
      const status = await connect.connectorStatus(name).catch(() => null);
      const failed = status && [status.connector, ...status.tasks].find((s) => s.state === 'FAILED');
      if (failed)
        throw new Error(
          `kafka connect peer: the JDBC sink failed:\n${failed.trace ?? ''}\nlog:\n${logTail(connect.logFile)}`,
        );
      nextStatus = Date.now() + 1000;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `kafka connect peer: after ${options.timeoutMs ?? 300_000} ms the sink committed offsets ${JSON.stringify(Object.fromEntries(committed))} of ${JSON.stringify(Object.fromEntries(ends))}\nlog:\n${logTail(connect.logFile)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The guard: the peer left exactly the loader's metric rows (counts and every row's values), or no ratio. */
async function expectLoaderRows(options: KafkaConnectJdbcOptions): Promise<void> {
  const tables = Object.keys(options.expected.counts);
  const digest = await tablesDigest(options.pool, tables);
  const differ = tables.filter(
    (t) => digest.counts[t] !== options.expected.counts[t] || digest.md5[t] !== options.expected.md5[t],
  );
  if (differ.length > 0) {
    throw new Error(
      `kafka connect peer: refusing its figures: it left ${JSON.stringify(digest.counts)} rows, the loader ${JSON.stringify(options.expected.counts)}` +
        ` (values differ in ${differ.join(', ')})`,
    );
  }
}

/** the worker's log is removed with its temp dir: its end goes into the error */
function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-40).join('\n');
  } catch {
    return '(no log)';
  }
}
