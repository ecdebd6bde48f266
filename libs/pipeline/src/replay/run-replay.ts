import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { KafkaSettings } from '@staysync/kafka';
import { requireSource } from '@staysync/sources';
import { replayFromStore } from './from-store';
import { replayFromTopic, type TopicReplayOptions } from './from-topic';
import type { ReplayOrigin, ReplayProgress, ReplayReport } from './report';

/** What `POST /api/v1/replays` and `npm run cli -- replay` accept. */
export interface ReplayRequest {
  source: string;
  origin: ReplayOrigin;
  from: Date;
  to: Date;
  accountId?: string;
  dryRun: boolean;
}

export interface ReplayDependencies {
  pool: Pool;
  /** needed for origin `topic` only */
  kafka?: Kafka;
  settings?: KafkaSettings;
  logger?: Logger;
  consumerOptions?: TopicReplayOptions['consumerOptions'];
}

/** Checks a request before anything is written: known source, sane range. Throws with a readable message. */
export function validateReplayRequest(request: ReplayRequest): void {
  requireSource(request.source);
  if (Number.isNaN(request.from.getTime()) || Number.isNaN(request.to.getTime()))
    throw new Error('from and to must be ISO-8601 timestamps');
  if (request.from > request.to) throw new Error('from must not be after to');
}

/** Records the replay as `queued` in ops.replays and returns its id. */
export async function createReplay(pool: Pool, request: ReplayRequest): Promise<string> {
  validateReplayRequest(request);
  const id = randomUUID();
  await pool.query(
    `INSERT INTO ops.replays (id, source, origin, range_from, range_to, account_id, dry_run) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [id, request.source, request.origin, request.from, request.to, request.accountId ?? null, request.dryRun],
  );
  return id;
}

/**
 * Runs a recorded replay to its end (progress and the report land in its ops.replays row). An abort
 * stops it between batches; the row is then marked failed, and since replays are idempotent the
 * operator simply starts it again.
 */
export async function runReplay(
  deps: ReplayDependencies,
  replayId: string,
  request: ReplayRequest,
  hooks: { onProgress?: (progress: ReplayProgress) => void; signal?: AbortSignal } = {},
): Promise<ReplayReport> {
  const common = { ...request, replayId, onProgress: hooks.onProgress, signal: hooks.signal };
  if (request.origin === 'store') return replayFromStore({ ...common, pool: deps.pool });
  if (!deps.kafka || !deps.settings) throw new Error('a topic replay needs a Kafka connection');
  return replayFromTopic({
    ...common,
    pool: deps.pool,
    kafka: deps.kafka,
    settings: deps.settings,
    logger: deps.logger,
    consumerOptions: deps.consumerOptions,
  });
}
