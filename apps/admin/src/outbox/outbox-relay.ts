import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';

/** Anything that can put keyed JSON values on a logical topic (the Kafka producer in production). */
export interface MessagePublisher {
  send(
    topicId: string,
    messages: Array<{ key: string; value: never; headers?: Record<string, string> }>,
  ): Promise<unknown>;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  value: unknown;
  headers: Record<string, string>;
}

// one relay at a time across admin replicas keeps publication in outbox order (per-account order)
const RELAY_LOCK_KEY = 0x5354_4f42; // "STOB"

/**
 * Transactional-outbox relay: publishes `ops.outbox` rows in id order and marks them published.
 * A publish failure leaves the rows pending (account writes never wait for the broker); the next
 * pass retries them in the same order. At-least-once: a crash between send and mark re-sends.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private failures = 0;
  private nudged = false;

  constructor(
    private readonly pool: Pool,
    private readonly publisher: MessagePublisher,
    private readonly logger: Logger,
    private readonly options: { pollMs: number; batchSize?: number; maxBackoffMs?: number },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Ask for a pass soon (after a write), instead of waiting for the next poll. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.nudged = true;
      return;
    }
    if (this.failures === 0) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Publishes every pending message that can be published now; returns how many went out. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.relayBatch();
      total += sent;
      if (sent < (this.options.batchSize ?? 500)) return total;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async pass(): Promise<void> {
    try {
      await this.drain();
      if (this.failures > 0) this.logger.info({ afterFailures: this.failures }, 'outbox relay recovered');
      this.failures = 0;
    } catch (error) {
      this.failures++;
      this.logger.warn(
        { err: { message: (error as Error).message }, failures: this.failures },
        'outbox relay could not publish; will retry',
      );
    }
    const backoff = Math.min(this.options.pollMs * 2 ** this.failures, this.options.maxBackoffMs ?? 10_000);
    const delay = this.failures > 0 ? backoff : this.nudged ? 0 : this.options.pollMs;
    this.nudged = false;
    this.schedule(delay);
  }

  private async relayBatch(): Promise<number> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: lock } = await client.query<{ ok: boolean }>(
        'SELECT pg_try_advisory_xact_lock($1) AS ok',
        [RELAY_LOCK_KEY],
      );
      if (!lock[0].ok) {
        await client.query('ROLLBACK');
        return 0;
      }
      const { rows } = await client.query<OutboxRow>(
        'SELECT id, topic, message_key, value, headers FROM ops.outbox WHERE published_at IS NULL ORDER BY id LIMIT $1',
        [this.options.batchSize ?? 500],
      );
      try {
        for (const run of consecutiveRunsByTopic(rows)) {
          await this.publisher.send(
            run.topic,
            run.rows.map((r) => ({ key: r.message_key, value: r.value as never, headers: r.headers })),
          );
        }
      } catch (error) {
        await client.query('ROLLBACK');
        await this.recordFailure(client, rows, error as Error);
        throw error;
      }
      if (rows.length > 0) {
        await client.query(
          'UPDATE ops.outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])',
          [rows.map((r) => r.id)],
        );
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async recordFailure(client: PoolClient, rows: OutboxRow[], error: Error): Promise<void> {
    if (rows.length === 0) return;
    await client
      .query('UPDATE ops.outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [
        rows[0].id,
        error.message.slice(0, 500),
      ])
      .catch(() => undefined);
  }

  /** Removes published messages older than `olderThanDays`. */
  async prune(olderThanDays = 7): Promise<number> {
    const { rowCount } = await this.pool.query(
      `DELETE FROM ops.outbox WHERE published_at < now() - make_interval(days => $1)`,
      [olderThanDays],
    );
    return rowCount ?? 0;
  }
}

function consecutiveRunsByTopic(rows: OutboxRow[]): Array<{ topic: string; rows: OutboxRow[] }> {
  const runs: Array<{ topic: string; rows: OutboxRow[] }> = [];
  for (const row of rows) {
    const last = runs[runs.length - 1];
    if (last && last.topic === row.topic) last.rows.push(row);
    else runs.push({ topic: row.topic, rows: [row] });
  }
  return runs;
}
