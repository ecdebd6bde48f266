import type { INestApplication } from '@nestjs/common';
import type { RawEnvelope } from '@staysync/core';
import { KafkaProducerService } from '@staysync/kafka';
import { METRICS_REGISTRY } from '@staysync/observability';
import type { Registry } from 'prom-client';
import { createFetcherApp } from '../../../fetcher/src/bootstrap';
import type { FetcherAppOptions } from '../../../fetcher/src/fetcher.module';
import {
  FAST_CONSUMER,
  LOG_STREAM,
  fetcherConfig,
  insertAccounts,
  insertJobs,
  syncCommands,
  waitUntil,
  type BenchContext,
} from './context';

/** Fetcher runtime for the bench: production flush/sweep timings, short group timings on sync.commands. */
export const BENCH_FETCHER_RUNTIME: FetcherAppOptions = {
  logStream: LOG_STREAM,
  commandConsumer: { ...FAST_CONSUMER },
};

export interface FetchResult {
  wall_ms: number;
  floor_ms: number;
  overhead_ratio: number;
  /** every request the simulator answered, the session preflight's pages included */
  requests: number;
  /** of which the preflight's pages (GET /hosting/insights and where it redirects), before each job's API calls */
  preflight_requests: number;
  requests_per_account: number;
  parallel_accounts: number;
  pacing_ms: number;
  /** mean upstream round trip (fetcher's request histogram) */
  mean_request_ms: number;
  /** first claim → last fetch_completed_at (excludes command delivery) */
  claim_to_complete_ms: number;
  failed_requests: number;
}

/**
 * Fetch-only: the fetcher app alone, every account's backfill job started by one send of sync commands
 * (after a warm-up command proved the consumer joined its group), until every job has fetch_completed_at.
 * Returns every raw envelope the fetcher published, for the loader phases.
 */
export async function runFetchPhase(
  ctx: BenchContext,
): Promise<{ result: FetchResult; envelopes: RawEnvelope[] }> {
  const prefix = `${ctx.runId}f.`;
  const config = fetcherConfig(ctx, prefix);
  await insertAccounts(ctx, config);
  const app = await createFetcherApp(config, BENCH_FETCHER_RUNTIME);
  const published: RawEnvelope[] = [];
  const producer = app.get(KafkaProducerService);
  const send = producer.send.bind(producer);
  producer.send = async (topicId: Parameters<typeof send>[0], messages: Parameters<typeof send>[1]) => {
    const sent = await send(topicId, messages);
    if (topicId === 'raw.airbnb') for (const m of messages) published.push(m.value as RawEnvelope);
    return sent;
  };
  try {
    await app.init();
    await warmUp(ctx, app);

    const jobIds = await insertJobs(ctx, ctx.accountIds);
    ctx.simulator.reset();
    ctx.log(
      `fetch: ${ctx.accountIds.length} account(s) in parallel, pacing ${ctx.sizes.pacingMs} ms (end of previous request → next), no jitter/pauses`,
    );
    const t0 = Date.now();
    await producer.send('sync.commands', syncCommands(jobIds, ctx.accountIds));
    const jobs = await waitUntil(
      async () => {
        const { rows } = await ctx.pool.query<{
          fetch_completed_at: Date | null;
          started_at: Date | null;
          fetched: number;
          failed: number;
          planned: number;
        }>(
          `SELECT fetch_completed_at, started_at, fetched, failed, planned FROM ops.sync_jobs WHERE id = ANY($1::uuid[])`,
          [jobIds],
        );
        return rows.every((r) => r.fetch_completed_at) && rows;
      },
      {
        what: 'the fetch of every job',
        timeoutMs: 30 * 60_000,
        intervalMs: 20,
        report: () =>
          `fetch: ${published.length} responses published, ${ctx.simulator.stats().requests} requests`,
      },
    );
    const completedAt = Math.max(...jobs.map((j) => j.fetch_completed_at!.getTime()));
    const claimedAt = Math.min(...jobs.map((j) => j.started_at!.getTime()));
    const stats = ctx.simulator.stats();
    const perAccount = Math.max(...ctx.accountIds.map((id) => stats.byAccount[id] ?? 0));
    const meanRequestMs = await meanRequestMillis(app.get<Registry>(METRICS_REGISTRY));
    const parallel = Math.min(ctx.accountIds.length, config.accountConcurrency);
    const wallMs = completedAt - t0;
    const floorMs = (stats.requests * ctx.sizes.pacingMs) / parallel;
    const failed = jobs.reduce((sum, j) => sum + j.failed, 0);
    if (failed > 0) ctx.log(`warning: ${failed} request(s) failed during the fetch phase`);
    const result: FetchResult = {
      wall_ms: wallMs,
      floor_ms: round(floorMs),
      overhead_ratio: round(wallMs / floorMs, 3),
      requests: stats.requests,
      preflight_requests: stats.byOperation.preflight ?? 0,
      requests_per_account: perAccount,
      parallel_accounts: parallel,
      pacing_ms: ctx.sizes.pacingMs,
      mean_request_ms: round(meanRequestMs, 2),
      claim_to_complete_ms: completedAt - claimedAt,
      failed_requests: failed,
    };
    ctx.log(
      `fetch: ${stats.requests} requests in ${wallMs} ms (floor ${result.floor_ms} ms → ×${result.overhead_ratio})`,
    );
    // what the loader will decode: the JSON the codec put on the wire
    return { result, envelopes: published.map((e) => JSON.parse(JSON.stringify(e)) as RawEnvelope) };
  } finally {
    await app.close().catch(() => undefined);
  }
}

/**
 * The sync.commands consumer joins its group in the background. A command for a job whose account does
 * not exist fails at once; once it has, the consumer is live and the timed commands are not delayed by the join.
 */
export async function warmUp(ctx: BenchContext, app: INestApplication): Promise<void> {
  const [jobId] = await insertJobs(ctx, ['1']);
  await app.get(KafkaProducerService).send('sync.commands', syncCommands([jobId], ['1']));
  await waitUntil(
    async () =>
      (await ctx.pool.query(`SELECT 1 FROM ops.sync_jobs WHERE id = $1 AND status = 'failed'`, [jobId]))
        .rowCount === 1,
    { what: 'the fetcher to join sync.commands (warm-up command)', timeoutMs: 60_000, intervalMs: 50 },
  );
}

async function meanRequestMillis(registry: Registry): Promise<number> {
  const metric = registry.getSingleMetric('fetcher_request_duration_seconds');
  if (!metric) return 0;
  const { values } = await metric.get();
  const total = (suffix: string) =>
    values
      .filter(
        (v) => (v as { metricName?: string }).metricName === `fetcher_request_duration_seconds${suffix}`,
      )
      .reduce((s, v) => s + v.value, 0);
  const count = total('_count');
  return count > 0 ? (total('_sum') / count) * 1000 : 0;
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
