import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RawEnvelope } from '@staysync/core';
import { createKafka, type KafkaSettings } from '@staysync/kafka';
import pino from 'pino';
import { freePort, ServiceProcess } from '../chaos/services';
import { LOADER_GROUP_ID } from '../../../loader/src/raw-responses.consumer';
import {
  loadedTableRows,
  loaderEnv,
  LOG_STREAM,
  truncateLoaderTables,
  waitUntil,
  type BenchContext,
} from './context';
import { postgresCpuMs, processCpuMs } from './cpu';
import { round } from './fetch-phase';
import { envelopeProducer } from './loader-phase';
import { afterWarmUp, fastest } from './timed-runs';

export interface LoaderProcessesRun {
  processes: number;
  responses: number;
  /** rows in the loaded tables afterwards (metric tables and raw store) */
  rows: number;
  /** first envelope sent to the idle, joined group → every response loaded (job counters polled every 10 ms) */
  duration_ms: number;
  /** of duration_ms, the producer's sends (the loaders consume meanwhile) */
  produce_ms: number;
  rows_per_s: number;
  responses_per_s: number;
  /** the loader processes (all their threads, from /proc) and the local PostgreSQL, during duration_ms */
  cpu_ms: { loader_processes: number | null; postgres: number | null };
  raw_topic_partitions: number;
  /** every timed run after the warm-up; the fastest is reported */
  runs_duration_ms: number[];
}

export interface LoaderProcessesResult {
  runs: LoaderProcessesRun[];
  /** rows/s of the last run (most processes) over the first (one process) */
  scale_ratio: number;
  measured_as: string;
}

/**
 * Loaders as separate OS processes (as an operator scales them: `npm run start:loader`, configured by
 * environment, the loader's own consumer settings), for each entry of `counts`: the processes start and
 * join one group on an empty raw topic; once the group is stable with every member, the envelopes are
 * produced onto it and timed until every response is loaded (the jobs' `loaded` counters). A warm-up,
 * then `timedRuns` more on the same processes (tables emptied, the envelopes produced again); the
 * fastest is reported.
 */
export async function runLoaderProcesses(
  ctx: BenchContext,
  envelopes: RawEnvelope[],
  jobIds: string[],
  counts: number[],
  timedRuns: number,
): Promise<LoaderProcessesResult> {
  const runs: LoaderProcessesRun[] = [];
  for (const processes of counts) runs.push(await runProcesses(ctx, envelopes, jobIds, processes, timedRuns));
  return {
    runs,
    scale_ratio: round(runs.at(-1)!.rows_per_s / runs[0].rows_per_s, 3),
    measured_as:
      'envelopes produced once every process joined the group → every response loaded, by the job counters committed with the rows (includes the sends)',
  };
}

async function runProcesses(
  ctx: BenchContext,
  envelopes: RawEnvelope[],
  jobIds: string[],
  processes: number,
  timedRuns: number,
): Promise<LoaderProcessesRun> {
  const prefix = `${ctx.runId}p${processes}.`;
  const producer = await envelopeProducer(ctx, prefix);
  let logDir: string | undefined;
  const services: ServiceProcess[] = [];
  let died: string | undefined;
  let measured = false;
  try {
    logDir = mkdtempSync(join(tmpdir(), 'staysync-bench-loaders-'));
    for (let i = 0; i < processes; i++)
      services.push(
        new ServiceProcess(
          `bench-loader-${processes}-${i + 1}`,
          'loader',
          await freePort(),
          loaderEnv(ctx, prefix),
          logDir,
          (death) => (died ??= `${death.service} exited (status ${death.status}):\n${death.logTail}`),
        ),
      );
    ctx.log(`loader processes ×${processes}: starting (logs in ${logDir})`);
    await producer.prepare(envelopes);
    // every start settles before a failure is thrown, so the finally below stops each one it spawned
    const started = await Promise.allSettled(services.map((service) => service.start()));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await groupStable(prefix, ctx.brokers, processes);

    const pids = services.map((s) => s.processId!);
    const cpu = () => {
      const perLoader = pids.map((pid) => processCpuMs(pid));
      return {
        loaders: perLoader.some((ms) => ms === null)
          ? null
          : perLoader.reduce<number>((sum, ms) => sum + ms!, 0),
        postgres: postgresCpuMs(),
      };
    };
    const diff = (before: number | null, after: number | null) =>
      before === null || after === null ? null : after - before;
    // the job counters are committed with the rows (one row per job, not a count over the raw store)
    const loadedResponses = async () =>
      (
        await ctx.pool.query<{ n: number }>(
          `SELECT coalesce(sum(loaded), 0)::int AS n FROM ops.sync_jobs WHERE id = ANY($1::uuid[])`,
          [jobIds],
        )
      ).rows[0].n;
    const loadOnce = async (): Promise<Omit<LoaderProcessesRun, 'runs_duration_ms'>> => {
      await truncateLoaderTables(ctx.pool);
      await ctx.pool.query(
        `UPDATE ops.sync_jobs SET status = 'running', loaded = 0, finished_at = NULL WHERE id = ANY($1::uuid[])`,
        [jobIds],
      );
      const before = cpu();
      const started = performance.now();
      await producer.send(envelopes);
      const produced = performance.now();
      await waitUntil(
        async () => {
          if (died) throw new Error(`bench: a loader process died: ${died}`);
          return (await loadedResponses()) >= envelopes.length;
        },
        {
          what: `${processes} loader process(es) to store ${envelopes.length} responses`,
          timeoutMs: 30 * 60_000,
          intervalMs: 10,
          report: async () =>
            `loader processes ×${processes}: ${await loadedResponses()}/${envelopes.length} loaded`,
        },
      );
      const durationMs = performance.now() - started;
      const after = cpu();
      const rows = Object.values(await loadedTableRows(ctx.pool)).reduce((a, b) => a + b, 0);
      return {
        processes,
        responses: envelopes.length,
        rows,
        duration_ms: round(durationMs),
        produce_ms: round(produced - started),
        rows_per_s: round((rows / durationMs) * 1000, 1),
        responses_per_s: round((envelopes.length / durationMs) * 1000, 1),
        cpu_ms: {
          loader_processes: diff(before.loaders, after.loaders),
          postgres: diff(before.postgres, after.postgres),
        },
        raw_topic_partitions: producer.partitions,
      };
    };
    // a warm-up (JIT, pools), then the timed runs on the same processes: each a new copy of the envelopes
    // on the same topic, into emptied tables
    const { runs } = await afterWarmUp(timedRuns, loadOnce);
    const best = fastest(runs);
    const run: LoaderProcessesRun = { ...best, runs_duration_ms: runs.map((r) => r.duration_ms) };
    ctx.log(
      `loader processes ×${processes}: ${run.rows} rows in ${run.duration_ms} ms (sends ${run.produce_ms} ms) → ${run.rows_per_s} rows/s; CPU ${run.cpu_ms.loader_processes ?? '—'} ms loaders, ${run.cpu_ms.postgres ?? '—'} ms PostgreSQL`,
    );
    measured = true;
    return run;
  } finally {
    await producer.close().catch(() => undefined);
    // the figures are taken; the next count has its own topic and group
    await Promise.all(services.map((s) => s.stop()));
    // the logs stay (named above) when the run failed
    if (measured && logDir) rmSync(logDir, { recursive: true, force: true });
  }
}

/** Until the loaders' group is Stable with `members` members (each then holds its partitions). */
async function groupStable(prefix: string, brokers: string, members: number): Promise<void> {
  const configured: KafkaSettings = {
    brokers: brokers.split(','),
    clientId: 'staysync-bench',
    topicPrefix: prefix,
    idempotentProducer: true,
    createTopics: false,
  };
  const kafka = createKafka(configured, pino({ level: 'error' }, LOG_STREAM));
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitUntil(
      async () => {
        const { groups } = await admin.describeGroups([`${prefix}${LOADER_GROUP_ID}`]);
        return groups[0]?.state === 'Stable' && groups[0].members.length === members;
      },
      {
        what: `the loader group to be stable with ${members} member(s)`,
        timeoutMs: 120_000,
        intervalMs: 100,
      },
    );
  } finally {
    await admin.disconnect();
  }
}
