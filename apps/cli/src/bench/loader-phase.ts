import type { INestApplication } from '@nestjs/common';
import type { RawEnvelope } from '@staysync/core';
import {
  createJsonCodec,
  createKafka,
  createProducer,
  provisionTopics,
  settingsForCluster,
  topicName,
  type KafkaSettings,
  type ValueCodec,
} from '@staysync/kafka';
import { METRICS_REGISTRY } from '@staysync/observability';
import { loadEnvelopes } from '@staysync/pipeline';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { createLoaderApp } from '../../../loader/src/bootstrap';
import type { LoaderBatchObserver } from '../../../loader/src/batch-observer';
import {
  FAST_CONSUMER,
  FAST_RETRY,
  LOG_STREAM,
  closeAll,
  countRawResponses,
  loadedTableRows,
  loaderConfig,
  truncateLoaderTables,
  waitUntil,
  type BenchContext,
} from './context';
import { cpuSpent, sampleCpu, type CpuMs, type CpuSample } from './cpu';
import { round } from './fetch-phase';
import { profiled, type ProfileSummary } from './profile';

/** One handled batch, timed from the start of its handling to its COMMIT (the loader's batch observer). */
export interface BatchTiming {
  instance: number;
  startedAt: number;
  endedAt: number;
  /** wall-clock ms (Date.now()) when the handler returned */
  committedAt: number;
  envelopes: RawEnvelope[];
  poison: number;
}

/** A LoaderBatchObserver that times each batch of loader `instance` (passed to createLoaderApp). */
export function batchTimer(
  instance: number,
  onBatch: (timing: BatchTiming) => void,
  onFailure: (error: unknown) => void = () => undefined,
  onStart: () => void = () => undefined,
): LoaderBatchObserver {
  return {
    batchStarted(messages) {
      onStart();
      const startedAt = performance.now();
      return {
        succeeded(result) {
          onBatch({
            instance,
            startedAt,
            endedAt: performance.now(),
            committedAt: Date.now(),
            envelopes: messages.map((m) => m.value),
            poison: result.dlq?.length ?? 0,
          });
        },
        // the consumer redelivers the batch after a backoff (e.g. a deadlock between concurrent partitions)
        failed: onFailure,
      };
    },
  };
}

export interface LoaderRunResult {
  instances: number;
  responses: number;
  /** rows in the loaded tables afterwards: metric tables and raw store (what the COPY ceiling writes) */
  rows: number;
  /** first batch handed to a loader → the batch that completed the set returned (after its COMMIT) */
  duration_ms: number;
  responses_per_s: number;
  rows_per_s: number;
  /** rows the parser made (all four metric tables, before rows sharing a key are merged) */
  parsed_rows: number;
  parsed_rows_per_s: number;
  /** kafkajs batches handed to the loaders (one partition's fetch each) */
  batches: number;
  mean_batch_responses: number;
  /** database transactions (group commit: batches that arrive while one is in flight share the next) */
  transactions: number;
  mean_transaction_responses: number;
  /** handler calls that threw (rolled back, redelivered after a backoff), by PostgreSQL error code or message */
  failed_batches: number;
  failures: Record<string, number>;
  /** sum of successful handler durations across instances (> duration_ms when batches overlap) */
  handler_busy_ms: number;
  /**
   * CPU time spent during duration_ms: this process (the loader apps: all their threads) and the local
   * PostgreSQL server's processes (null when it is not on this machine); duration_ms × cpus is the most.
   */
  cpu_ms: { loader_process: number; postgres: number | null };
  per_instance_responses: number[];
  raw_topic_partitions: number;
  jobs_finished: number;
  /** where the loaders published the stored rows (LOADER_PUBLISHED_TOPICS) */
  published_topics: string[];
  /** with `--profile`: what the CPU profile of this run showed */
  profile?: ProfileSummary;
}

/**
 * Produces every envelope onto a fresh raw topic first, then starts `instances` loader apps (one consumer
 * group) and times them from the first batch handed to any of them until every envelope is loaded.
 */
export async function runLoaderPhase(
  ctx: BenchContext,
  envelopes: RawEnvelope[],
  parsedRows: number,
  jobIds: string[],
  instances: number,
  options: {
    /** CPU-profile this process while the loaders load, into this file (the result then has `profile`) */
    profileFile?: string;
    /** the loaders publish to these topics instead of ctx.publishedTopics; null: the loader's defaults */
    publishedTopics?: string[] | null;
  } = {},
): Promise<LoaderRunResult> {
  const { profileFile } = options;
  await truncateLoaderTables(ctx.pool);
  await ctx.pool.query(
    `UPDATE ops.sync_jobs SET status = 'running', loaded = 0, finished_at = NULL WHERE id = ANY($1::uuid[])`,
    [jobIds],
  );
  const prefix = `${ctx.runId}l${instances}.`;
  const config = loaderConfig(ctx, prefix, options.publishedTopics);
  const partitions = await produceEnvelopes(ctx, prefix, envelopes);
  ctx.log(
    `loader ×${instances}: ${envelopes.length} envelopes pre-produced on ${prefix}raw.airbnb.v1 (${partitions} partitions); starting ${instances} loader app(s)`,
  );

  const apps: INestApplication[] = [];
  const loaded = new Set<string>();
  const perInstance = Array.from({ length: instances }, () => 0);
  let firstStart = Infinity;
  let lastEnd = 0;
  let batches = 0;
  let transactions = 0;
  let busyMs = 0;
  let cpuAtStart: CpuSample | undefined;
  let cpuAtEnd: CpuSample | undefined;
  const failures: Record<string, number> = {};
  let profile: ProfileSummary | undefined;
  try {
    for (let i = 0; i < instances; i++) {
      const timer = batchTimer(
        i,
        (batch) => {
          batches++;
          busyMs += batch.endedAt - batch.startedAt;
          firstStart = Math.min(firstStart, batch.startedAt);
          perInstance[batch.instance] += batch.envelopes.length - batch.poison;
          const before = loaded.size;
          for (const e of batch.envelopes) loaded.add(e.requestKey);
          if (loaded.size > before && loaded.size >= envelopes.length) {
            lastEnd = batch.endedAt;
            cpuAtEnd = sampleCpu();
          }
        },
        (error) => {
          const key = failureKey(error);
          failures[key] = (failures[key] ?? 0) + 1;
        },
        () => {
          cpuAtStart ??= sampleCpu();
        },
      );
      const app = await createLoaderApp(config, {
        logStream: LOG_STREAM,
        consumerTuning: { consumerOptions: FAST_CONSUMER, retryBackoff: FAST_RETRY },
        batchObserver: timer,
      });
      apps.push(app);
    }
    const load = async () => {
      // init() resolves once the consumer joined; concurrently, so both members join the first generation
      await Promise.all(apps.map((app) => app.init()));
      await waitUntil(async () => lastEnd > 0 && (await countRawResponses(ctx.pool)) >= envelopes.length, {
        what: `${instances} loader(s) to load ${envelopes.length} envelopes`,
        timeoutMs: 30 * 60_000,
        report: () =>
          `loader ×${instances}: ${loaded.size}/${envelopes.length} responses loaded in ${batches} batches`,
      });
    };
    if (profileFile) profile = (await profiled(profileFile, load)).profile;
    else await load();
    for (const app of apps)
      transactions += await histogramCount(
        app.get<Registry>(METRICS_REGISTRY),
        'loader_transaction_responses',
      );
  } finally {
    await closeAll(apps);
  }
  const durationMs = lastEnd - firstStart;
  const tableRows = Object.values(await loadedTableRows(ctx.pool)).reduce((a, b) => a + b, 0);
  const finished = (
    await ctx.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ops.sync_jobs WHERE id = ANY($1::uuid[]) AND status = 'succeeded'`,
      [jobIds],
    )
  ).rows[0].n;
  const result: LoaderRunResult = {
    instances,
    responses: loaded.size,
    rows: tableRows,
    duration_ms: round(durationMs),
    responses_per_s: round((loaded.size / durationMs) * 1000, 1),
    rows_per_s: round((tableRows / durationMs) * 1000, 1),
    parsed_rows: parsedRows,
    parsed_rows_per_s: round((parsedRows / durationMs) * 1000, 1),
    batches,
    mean_batch_responses: round(loaded.size / batches, 1),
    transactions,
    mean_transaction_responses: round(loaded.size / Math.max(1, transactions), 1),
    failed_batches: Object.values(failures).reduce((a, b) => a + b, 0),
    failures,
    handler_busy_ms: round(busyMs),
    cpu_ms: loaderCpu(cpuSpent(cpuAtStart, cpuAtEnd)),
    per_instance_responses: perInstance,
    raw_topic_partitions: partitions,
    jobs_finished: Number(finished),
    published_topics: config.publishedTopics,
    ...(profile ? { profile } : {}),
  };
  ctx.log(
    `loader ×${instances}: ${result.responses} responses, ${tableRows} table rows in ${result.duration_ms} ms → ${result.responses_per_s} responses/s, ${result.rows_per_s} rows/s (per instance ${perInstance.join('/')}, ${batches} batches in ${transactions} transactions, ${result.failed_batches} failed and redelivered)`,
  );
  return result;
}

/** what a real broker returns per partition and fetch at most (kafkajs's maxBytesPerPartition default) */
const FETCH_BYTES_PER_PARTITION = 1 << 20;

/**
 * Onto `<prefix>raw.airbnb.v1`, keyed by request key like the fetcher; returns the topic's partition count.
 *
 * The librdkafka mock answers a fetch with one record batch per partition, where a real broker returns
 * every batch that fits in the fetch's bytes per partition; the loader's batch sizes would then be the
 * producer's send sizes. So on the mock the envelopes go out in sends whose per-partition record batches
 * hold about as many (uncompressed) bytes as a real broker's fetch would return.
 */
export async function produceEnvelopes(
  ctx: BenchContext,
  prefix: string,
  envelopes: RawEnvelope[],
): Promise<number> {
  const producer = await envelopeProducer(ctx, prefix);
  try {
    await producer.send(envelopes);
    return producer.partitions;
  } finally {
    await producer.close();
  }
}

export interface EnvelopeProducer {
  /** partitions of `<prefix>raw.airbnb.v1` */
  partitions: number;
  /** validates and encodes these envelopes now, so a timed send() of them only sends */
  prepare(envelopes: RawEnvelope[]): Promise<void>;
  send(envelopes: RawEnvelope[]): Promise<void>;
  close(): Promise<void>;
}

/** A connected producer onto a provisioned `<prefix>raw.airbnb.v1` (see produceEnvelopes for the send sizes). */
export async function envelopeProducer(ctx: BenchContext, prefix: string): Promise<EnvelopeProducer> {
  const configured: KafkaSettings = {
    brokers: ctx.brokers.split(','),
    clientId: 'staysync-bench',
    topicPrefix: prefix,
    idempotentProducer: process.env.KAFKA_IDEMPOTENT_PRODUCER !== 'false',
    createTopics: process.env.KAFKA_CREATE_TOPICS !== 'false',
  };
  const logger = pino({ level: 'error' }, LOG_STREAM);
  const kafka = createKafka(configured, logger);
  const settings = await settingsForCluster(kafka, configured, logger);
  await provisionTopics({ kafka, settings, logger, topics: ['raw.airbnb'] });
  const json = createJsonCodec();
  const prepared = new WeakMap<object, Buffer>();
  const codec: ValueCodec = {
    encode: async (topicId, value) => prepared.get(value as object) ?? json.encode(topicId, value),
    decode: (topicId, bytes) => json.decode(topicId, bytes),
  };
  const producer = createProducer({ kafka, settings, codec, logger });
  const partitions = await partitionCount(kafka, prefix);
  try {
    await producer.connect();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  return {
    partitions,
    async prepare(envelopes) {
      for (const envelope of envelopes) prepared.set(envelope, await json.encode('raw.airbnb', envelope));
    },
    async send(envelopes) {
      const chunk = ctx.mock ? sendSizeForFetchSizedBatches(envelopes, partitions) : 100;
      for (let i = 0; i < envelopes.length; i += chunk) {
        await producer.send(
          'raw.airbnb',
          envelopes.slice(i, i + chunk).map((value) => ({ key: value.requestKey, value })),
        );
      }
    },
    close: () => producer.disconnect(),
  };
}

function sendSizeForFetchSizedBatches(envelopes: RawEnvelope[], partitions: number): number {
  const meanBytes =
    envelopes.reduce((sum, e) => sum + JSON.stringify(e).length, 0) / Math.max(1, envelopes.length);
  return Math.max(1, Math.floor(FETCH_BYTES_PER_PARTITION / meanBytes)) * Math.max(1, partitions);
}

async function partitionCount(kafka: Kafka, prefix: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topicName('raw.airbnb', prefix)] });
    return topics[0]?.partitions.length ?? 0;
  } finally {
    await admin.disconnect();
  }
}

function loaderCpu(cpu: CpuMs): LoaderRunResult['cpu_ms'] {
  return { loader_process: cpu.node_process, postgres: cpu.postgres };
}

async function histogramCount(registry: Registry, name: string): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values
    .filter((v) => (v as { metricName?: string }).metricName === `${name}_count`)
    .reduce((sum, v) => sum + v.value, 0);
}

function failureKey(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e?.code
    ? `pg ${e.code}${e.message ? ` ${e.message}` : ''}`
    : String(e?.message ?? error).slice(0, 80);
}

export interface DirectLoadResult {
  batch_size: number;
  responses: number;
  rows: number;
  duration_ms: number;
  responses_per_s: number;
  rows_per_s: number;
}

/**
 * Diagnostic: loadEnvelopes (the loader's parse and database work: raw store, upserts, job counts) called
 * directly, sequentially, in batches of `batchSize`, with no Kafka, no consumer and no concurrent batches.
 */
export async function runDirectLoad(
  ctx: BenchContext,
  envelopes: RawEnvelope[],
  jobIds: string[],
  batchSize: number,
): Promise<DirectLoadResult> {
  await truncateLoaderTables(ctx.pool);
  await ctx.pool.query(
    `UPDATE ops.sync_jobs SET status = 'running', loaded = 0, finished_at = NULL WHERE id = ANY($1::uuid[])`,
    [jobIds],
  );
  const size = Math.max(1, Math.round(batchSize));
  const started = performance.now();
  for (let i = 0; i < envelopes.length; i += size)
    await loadEnvelopes(ctx.pool, envelopes.slice(i, i + size));
  const durationMs = performance.now() - started;
  const rows = Object.values(await loadedTableRows(ctx.pool)).reduce((a, b) => a + b, 0);
  const result: DirectLoadResult = {
    batch_size: size,
    responses: envelopes.length,
    rows,
    duration_ms: round(durationMs),
    responses_per_s: round((envelopes.length / durationMs) * 1000, 1),
    rows_per_s: round((rows / durationMs) * 1000, 1),
  };
  ctx.log(
    `direct loadEnvelopes (batches of ${size}, sequential, no Kafka): ${result.rows_per_s} rows/s, ${result.responses_per_s} responses/s`,
  );
  return result;
}
