import type { Pool } from 'pg';
import { currentParser, type Parser, type RawEnvelope, type SourcePlugin } from '@staysync/core';
import { loadEnvelopes } from '../load/load-envelopes';
import type { PipelineMetrics } from '../metrics';
import { requireSource } from '@staysync/sources';
import {
  addToReport,
  emptyReport,
  recordedReplay,
  ReplayRecorder,
  throwIfAborted,
  type ReplayRange,
  type ReplayReport,
} from './report';

export interface StoreReplayOptions extends ReplayRange {
  pool: Pool;
  /** responses per transaction; default 500 */
  batchSize?: number;
  /** default: the plug-in's current parser */
  parserFor?: (plugin: SourcePlugin) => Parser;
  metrics?: PipelineMetrics;
}

interface StoredRow {
  request_key: string;
  /** fetched_at as PostgreSQL prints it: the exact keyset cursor (microseconds included) */
  cursor_at: string;
  fetched_at: Date;
  account_id: string;
  job_id: string | null;
  operation: string;
  resource_id: string | null;
  scrape_date: string;
  window_start: string | null;
  window_end: string | null;
  http_status: number;
  variables: Record<string, unknown>;
  body: unknown;
}

/**
 * Re-parses every stored raw response of `source` fetched within [from, to] (in fetched_at order)
 * and upserts the rows, batch by batch. The raw rows are only read: the parser version that read
 * them goes to the `<source>.response_parses` ledger, so compressed history stays compressed.
 */
export async function replayFromStore(options: StoreReplayOptions): Promise<ReplayReport> {
  const { pool, source, dryRun } = options;
  const plugin = requireSource(source);
  const report = emptyReport('store', dryRun, (options.parserFor?.(plugin) ?? currentParser(plugin)).version);
  const recorder = new ReplayRecorder(pool, options.replayId);
  return recordedReplay(recorder, report, async () => {
    const total = await countInRange(options);
    await recorder.started(total);
    let processed = 0;
    for await (const rows of storedBatches(options)) {
      throwIfAborted(options.signal);
      const envelopes = rows.map((row) => envelopeOf(plugin.name, row));
      const result = await loadEnvelopes(pool, envelopes, {
        dryRun,
        storeRaw: false,
        markParsed: true,
        compare: true,
        parserFor: options.parserFor,
        metrics: options.metrics,
      });
      addToReport(
        report,
        result,
        envelopes.map((e) => e.requestKey),
      );
      processed += rows.length;
      await recorder.progressed(processed);
      options.onProgress?.({ processed, total });
    }
  });
}

const RANGE_FILTER = `fetched_at >= $1 AND fetched_at <= $2 AND ($3::text IS NULL OR account_id = $3)`;

async function countInRange({ pool, source, from, to, accountId }: StoreReplayOptions): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${source}.raw_responses WHERE ${RANGE_FILTER}`,
    [from, to, accountId ?? null],
  );
  return rows[0].n;
}

/** Keyset pagination on (fetched_at, request_key): stable while live loading appends rows. */
async function* storedBatches(options: StoreReplayOptions): AsyncGenerator<StoredRow[]> {
  const batchSize = options.batchSize ?? 500;
  let cursor: PageCursor | null = null;
  for (;;) {
    const rows = await storedPage(options, cursor, batchSize);
    if (rows.length === 0) return;
    yield rows;
    const last = rows[rows.length - 1];
    cursor = { at: last.cursor_at, key: last.request_key };
    if (rows.length < batchSize) return;
  }
}

interface PageCursor {
  at: string;
  key: string;
}

async function storedPage(
  { pool, source, from, to, accountId }: StoreReplayOptions,
  cursor: PageCursor | null,
  limit: number,
): Promise<StoredRow[]> {
  const { rows } = await pool.query<StoredRow>(
    `SELECT request_key, fetched_at::text AS cursor_at, fetched_at, account_id, job_id::text, operation, resource_id,
            scrape_date::text, window_start::text, window_end::text, http_status, variables, body
       FROM ${source}.raw_responses
      WHERE ${RANGE_FILTER} AND ($4::timestamptz IS NULL OR (fetched_at, request_key) > ($4::timestamptz, $5::text))
      ORDER BY fetched_at, request_key
      LIMIT $6`,
    [from, to, accountId ?? null, cursor?.at ?? null, cursor?.key ?? null, limit],
  );
  return rows;
}

function envelopeOf(source: string, row: StoredRow): RawEnvelope {
  return {
    schemaVersion: 1,
    jobId: row.job_id,
    source,
    accountId: row.account_id,
    operation: row.operation,
    resourceId: row.resource_id,
    requestKey: row.request_key,
    variables: row.variables ?? {},
    window: row.window_start && row.window_end ? { start: row.window_start, end: row.window_end } : null,
    scrapeDate: row.scrape_date,
    fetchedAt: row.fetched_at.toISOString(),
    httpStatus: row.http_status,
    body: row.body,
  };
}
