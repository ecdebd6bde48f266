import type { INestApplication } from '@nestjs/common';
import { KafkaProducerService } from '@staysync/kafka';
import { createFetcherApp } from '../../../fetcher/src/bootstrap';
import { createLoaderApp } from '../../../loader/src/bootstrap';
import {
  FAST_CONSUMER,
  FAST_RETRY,
  LOG_STREAM,
  closeAll,
  fetcherConfig,
  insertJobs,
  loaderConfig,
  syncCommands,
  truncateLoaderTables,
  waitUntil,
  type BenchContext,
} from './context';
import { BENCH_FETCHER_RUNTIME, round, warmUp } from './fetch-phase';
import { batchTimer } from './loader-phase';

export interface LagResult {
  p50: number;
  p99: number;
  max: number;
  samples: number;
  /** requests the live jobs planned (each on its own scrape day): every one is a sample */
  planned: number;
  /** what "committed" means for p50/p99 */
  measured_as: string;
  /** cross-check from the database: parsed_at (= now(), the loading transaction's START) − fetched_at; a lower bound */
  db_tx_start_p50: number;
  db_tx_start_p99: number;
  /** pg_xact_commit_timestamp(xmin) − fetched_at, only when the server runs with track_commit_timestamp = on */
  db_commit_p50: number | null;
  db_commit_p99: number | null;
  wall_ms: number;
}

/**
 * Fetcher and loader together (one process, one clock): new backfill jobs for every account; for each
 * envelope, lag = the moment the loader's batch handler returned (after the batch's COMMIT) − its fetchedAt.
 */
export async function runLivePhase(ctx: BenchContext): Promise<LagResult> {
  await truncateLoaderTables(ctx.pool);
  const prefix = `${ctx.runId}v.`;
  const lags = new Map<string, number>();
  const apps: INestApplication[] = [];
  try {
    const loader = await createLoaderApp(loaderConfig(ctx, prefix), {
      logStream: LOG_STREAM,
      consumerTuning: { consumerOptions: FAST_CONSUMER, retryBackoff: FAST_RETRY },
      batchObserver: batchTimer(0, (batch) => {
        for (const e of batch.envelopes)
          if (!lags.has(e.requestKey)) lags.set(e.requestKey, batch.committedAt - Date.parse(e.fetchedAt));
      }),
    });
    apps.push(loader);
    const fetcher = await createFetcherApp(fetcherConfig(ctx, prefix), BENCH_FETCHER_RUNTIME);
    apps.push(fetcher);
    await Promise.all([loader.init(), fetcher.init()]);
    await warmUp(ctx, fetcher);

    const jobIds = await insertJobs(ctx, ctx.accountIds);
    ctx.log(`live: fetcher + loader together, ${ctx.accountIds.length} backfill job(s)`);
    const t0 = Date.now();
    await fetcher.get(KafkaProducerService).send('sync.commands', syncCommands(jobIds, ctx.accountIds));
    let planned = 0;
    await waitUntil(
      async () => {
        const { rows } = await ctx.pool.query<{ status: string; fetched: number; planned: number }>(
          `SELECT status, fetched, planned FROM ops.sync_jobs WHERE id = ANY($1::uuid[])`,
          [jobIds],
        );
        // a job finishes inside the last batch's handler, just before the handler returns and its lags are recorded
        const fetched = rows.reduce((sum, r) => sum + r.fetched, 0);
        planned = rows.reduce((sum, r) => sum + r.planned, 0);
        return rows.every((r) => r.status === 'succeeded' || r.status === 'failed') && lags.size >= fetched;
      },
      {
        what: 'the live jobs to finish',
        timeoutMs: 30 * 60_000,
        report: () => `live: ${lags.size} responses loaded`,
      },
    );
    const wallMs = Date.now() - t0;
    const values = [...lags.values()].sort((a, b) => a - b);
    const db = await dbLags(ctx);
    const result: LagResult = {
      p50: percentile(values, 50),
      p99: percentile(values, 99),
      max: values.at(-1) ?? 0,
      samples: values.length,
      planned,
      measured_as:
        'envelope fetchedAt → return of the loader batch handler (after COMMIT), same process clock',
      ...db,
      wall_ms: wallMs,
    };
    ctx.log(
      `live: lag p50 ${result.p50} ms, p99 ${result.p99} ms, max ${result.max} ms over ${values.length} responses (db tx-start p50 ${result.db_tx_start_p50} ms)`,
    );
    return result;
  } finally {
    await closeAll(apps);
  }
}

async function dbLags(
  ctx: BenchContext,
): Promise<Pick<LagResult, 'db_tx_start_p50' | 'db_tx_start_p99' | 'db_commit_p50' | 'db_commit_p99'>> {
  const pct = (expr: string) =>
    `percentile_disc(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ${expr} - fetched_at) * 1000) AS p50,
     percentile_disc(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM ${expr} - fetched_at) * 1000) AS p99`;
  const txStart = (await ctx.pool.query<Percentiles>(`SELECT ${pct('parsed_at')} FROM airbnb.raw_responses`))
    .rows[0];
  const tracked =
    (await ctx.pool.query<{ on: string }>(`SELECT current_setting('track_commit_timestamp') AS on`)).rows[0]
      .on === 'on';
  const commit = tracked
    ? (
        await ctx.pool.query<Percentiles>(
          `SELECT ${pct('pg_xact_commit_timestamp(xmin)')} FROM airbnb.raw_responses`,
        )
      ).rows[0]
    : null;
  return {
    db_tx_start_p50: round(Number(txStart.p50)),
    db_tx_start_p99: round(Number(txStart.p99)),
    db_commit_p50: commit ? round(Number(commit.p50)) : null,
    db_commit_p99: commit ? round(Number(commit.p99)) : null,
  };
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** percentile_disc over a numeric expression: node-postgres returns numeric as text */
interface Percentiles {
  p50: string | null;
  p99: string | null;
}
