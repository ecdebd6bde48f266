import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { PG_POOL } from '@staysync/db';
import { KAFKA_CLIENT, KAFKA_CONTEXT, type KafkaContext } from '@staysync/kafka';
import { createReplay, runReplay, type ReplayRequest } from '@staysync/pipeline';

export interface ReplayRow {
  id: string;
  source: string;
  origin: string;
  range_from: Date;
  range_to: Date;
  account_id: string | null;
  dry_run: boolean;
  status: string;
  total: number | null;
  processed: number;
  report: Record<string, unknown>;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

/**
 * Runs replays inside the admin process, beside live loading: the replay has its own consumer group
 * (topic origin) or reads the raw store, and writes through the same idempotent upserts as the loader.
 * State and the final report live in ops.replays, so any admin replica can answer GET.
 */
@Injectable()
export class ReplaysService implements BeforeApplicationShutdown {
  private readonly running = new Map<string, { abort: AbortController; done: Promise<unknown> }>();
  private readonly logger: Logger;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_CONTEXT) private readonly kafkaContext: KafkaContext,
  ) {
    this.logger = kafkaContext.logger.child({ component: 'replays' });
  }

  /** Records the replay and starts it in the background; returns its id at once. */
  async start(request: ReplayRequest): Promise<string> {
    const id = await createReplay(this.pool, request);
    const abort = new AbortController();
    const log = this.logger.child({ replayId: id });
    log.info({ source: request.source, origin: request.origin, dryRun: request.dryRun }, 'replay started');
    const done = runReplay(
      { pool: this.pool, kafka: this.kafka, settings: this.kafkaContext.settings, logger: log },
      id,
      request,
      { signal: abort.signal },
    )
      .then((report) =>
        log.info(
          { responses: report.responses, rows: report.rows, durationMs: report.durationMs },
          'replay finished',
        ),
      )
      .catch((error: unknown) => log.warn({ err: error }, 'replay failed'))
      .finally(() => this.running.delete(id));
    this.running.set(id, { abort, done });
    return id;
  }

  async get(id: string): Promise<ReplayRow | null> {
    const { rows } = await this.pool.query<ReplayRow>(`SELECT * FROM ops.replays WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async list(limit: number): Promise<ReplayRow[]> {
    const { rows } = await this.pool.query<ReplayRow>(
      `SELECT * FROM ops.replays ORDER BY created_at DESC LIMIT $1`,
      [limit],
    );
    return rows;
  }

  /** Stops running replays between batches; their rows end `failed` ("aborted") and can be started again. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const { abort } of this.running.values()) abort.abort(new Error('admin shutting down'));
    await Promise.all([...this.running.values()].map((r) => r.done));
  }
}

export function replayView(row: ReplayRow) {
  return {
    id: row.id,
    source: row.source,
    origin: row.origin,
    from: row.range_from.toISOString(),
    to: row.range_to.toISOString(),
    account_id: row.account_id,
    dry_run: row.dry_run,
    status: row.status,
    total: row.total,
    processed: row.processed,
    report: row.report,
    error: row.error,
    created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null,
    finished_at: row.finished_at?.toISOString() ?? null,
  };
}
