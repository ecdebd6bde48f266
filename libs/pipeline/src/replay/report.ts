import type { Pool } from 'pg';
import type { ChangeSample } from '../load/compare-rows';
import { MAX_SAMPLES } from '../load/compare-rows';
import type { LoadResult } from '../load/load-envelopes';

export type ReplayOrigin = 'store' | 'topic';

export interface ReplayReport {
  origin: ReplayOrigin;
  dryRun: boolean;
  /** the parser version the responses were re-parsed with */
  parserVersion: number;
  /** raw responses in range that were re-parsed */
  responses: number;
  /** responses of hard-deleted accounts, not written */
  refused: number;
  rows: Record<string, { added: number; changed: number; unchanged: number }>;
  samples: Record<string, ChangeSample[]>;
  poison: Array<{ requestKey: string; error: string }>;
  unknownMetrics: Record<string, number>;
  durationMs: number;
}

export interface ReplayProgress {
  /** responses read so far (in range) */
  processed: number;
  /** known up front for the store origin */
  total: number | null;
}

/** Common parameters of both origins. */
export interface ReplayRange {
  source: string;
  /** inclusive bounds on the response's fetchedAt */
  from: Date;
  to: Date;
  accountId?: string;
  dryRun: boolean;
  /** when set, progress and the final report are written to this `ops.replays` row */
  replayId?: string;
  onProgress?: (progress: ReplayProgress) => void;
  /** stops the replay between batches (the ops.replays row ends `failed`: "aborted") */
  signal?: AbortSignal;
}

/** Throws when the replay was asked to stop; called between batches. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted)
    throw new Error(
      `replay aborted: ${String((signal.reason as Error)?.message ?? signal.reason ?? 'stop requested')}`,
    );
}

export function emptyReport(origin: ReplayOrigin, dryRun: boolean, parserVersion: number): ReplayReport {
  return {
    origin,
    dryRun,
    parserVersion,
    responses: 0,
    refused: 0,
    rows: {},
    samples: {},
    poison: [],
    unknownMetrics: {},
    durationMs: 0,
  };
}

/** Adds one batch's load result; `requestKeys` are the batch's envelopes' keys, by input index. */
export function addToReport(report: ReplayReport, result: LoadResult, requestKeys: string[]): void {
  report.responses += result.responses;
  report.refused += result.refused.length;
  for (const [table, counts] of Object.entries(result.rows)) {
    const total = (report.rows[table] ??= { added: 0, changed: 0, unchanged: 0 });
    total.added += counts.inserted;
    total.changed += counts.updated;
    total.unchanged += counts.unchanged;
  }
  for (const [table, samples] of Object.entries(result.samples)) {
    const kept = (report.samples[table] ??= []);
    kept.push(...samples.slice(0, Math.max(0, MAX_SAMPLES - kept.length)));
  }
  for (const { index, error } of result.poison)
    report.poison.push({ requestKey: requestKeys[index], error: String((error as Error)?.message ?? error) });
  for (const [name, count] of Object.entries(result.unknownMetrics))
    report.unknownMetrics[name] = (report.unknownMetrics[name] ?? 0) + count;
}

/** Writes a replay's state into its `ops.replays` row (a no-op without a replay id). */
export class ReplayRecorder {
  constructor(
    private readonly pool: Pool,
    private readonly replayId: string | undefined,
  ) {}

  async started(total: number | null): Promise<void> {
    await this.update(
      `status = 'running', started_at = COALESCE(started_at, now()), total = $2, processed = 0, error = NULL`,
      [total],
    );
  }

  async progressed(processed: number): Promise<void> {
    await this.update(`processed = $2`, [processed]);
  }

  /** The report, and its parser version and counts in columns of their own (next to the range the row was created with). */
  async succeeded(report: ReplayReport): Promise<void> {
    const totals = Object.values(report.rows).reduce(
      (sum, t) => ({
        added: sum.added + t.added,
        changed: sum.changed + t.changed,
        unchanged: sum.unchanged + t.unchanged,
      }),
      { added: 0, changed: 0, unchanged: 0 },
    );
    await this.update(
      `status = 'succeeded', finished_at = now(), processed = $2, report = $3::jsonb, parser_version = $4, rows_added = $5, rows_changed = $6, rows_unchanged = $7, refused = $8`,
      [
        report.responses,
        JSON.stringify(report),
        report.parserVersion,
        totals.added,
        totals.changed,
        totals.unchanged,
        report.refused,
      ],
    );
  }

  async failed(error: unknown): Promise<void> {
    await this.update(`status = 'failed', finished_at = now(), error = $2`, [
      String((error as Error)?.message ?? error),
    ]);
  }

  private async update(assignments: string, values: unknown[]): Promise<void> {
    if (!this.replayId) return;
    await this.pool.query(`UPDATE ops.replays SET ${assignments} WHERE id = $1`, [this.replayId, ...values]);
  }
}

/** Runs a replay body with its `ops.replays` bookkeeping and timing. */
export async function recordedReplay(
  recorder: ReplayRecorder,
  report: ReplayReport,
  body: () => Promise<void>,
): Promise<ReplayReport> {
  const started = performance.now();
  try {
    await body();
  } catch (error) {
    await recorder.failed(error);
    throw error;
  }
  report.durationMs = Math.round(performance.now() - started);
  await recorder.succeeded(report);
  return report;
}
