import type { AccountRow, FetchJob, FetchMode } from '@staysync/core';
import {
  finishJobsIfComplete,
  inTransaction,
  markBlocked,
  markNeedsReauth,
  type FinishedJob,
} from '@staysync/db';
import type { Pool, PoolClient } from 'pg';
import type { ProgressSnapshot } from './job-progress';

/**
 * The fetcher's SQL on ops.sync_jobs. Ownership is a lease: the owner renews `lease_until` with every
 * progress flush; a job whose lease ran out (its fetcher died) or was handed back (lease_until = now(),
 * owner NULL on graceful shutdown) is claimed again by any fetcher. Every write after the claim is
 * guarded by `owner = $me`, so a fetcher that lost its lease cannot overwrite the new owner's work.
 */
export interface JobStoreOptions {
  owner: string;
  leaseMs: number;
}

interface JobRow {
  id: string;
  source: string;
  account_id: string;
  mode: FetchMode;
  scrape_date: string;
}

/** a job not yet fetched to the end, and free: queued, or running with a lapsed lease; never one of a hard-deleted account */
const CLAIMABLE = `fetch_completed_at IS NULL AND (status = 'queued' OR (status = 'running' AND (lease_until IS NULL OR lease_until < now())))
  AND NOT EXISTS (SELECT 1 FROM ops.deleted_accounts d WHERE d.source = sync_jobs.source AND d.account_id = sync_jobs.account_id)`;

const CLAIM_SET = `status = 'running', owner = $2, lease_until = now() + make_interval(secs => $3::float8 / 1000),
  started_at = COALESCE(started_at, now()), scrape_date = COALESCE(scrape_date, (now() AT TIME ZONE 'UTC')::date), updated_at = now()`;

/** $1 job id, $2 owner, $3–$8 the snapshot (see progressParams); statement-specific parameters start at $9 */
const PROGRESS_SET = `planned = $3, fetched = $4, failed = $5, progress = $6::jsonb, errors = $7::jsonb, notes = $8::jsonb`;

/**
 * What a job's outcome writes besides the job row, in the same transaction: the job's error code, and
 * credentials the source renewed during the job (columns already sealed), e.g. Airbnb's rotated cookies.
 */
export interface OutcomeWrites {
  account?: { source: string; accountId: string };
  errorCode?: string | null;
  /** renewed credentials as account columns, already sealed */
  credentialColumns?: Record<string, unknown> | null;
}

const JOB_COLUMNS = `id::text, source, account_id, mode, to_char(scrape_date, 'YYYY-MM-DD') AS scrape_date`;

export class JobStore {
  constructor(
    private readonly pool: Pool,
    private readonly options: JobStoreOptions,
  ) {}

  get owner(): string {
    return this.options.owner;
  }

  /** Claims the job if it is free; null when another fetcher has it or it is done. */
  async claim(jobId: string): Promise<FetchJob | null> {
    const { rows } = await this.pool.query<JobRow>(
      `UPDATE ops.sync_jobs SET ${CLAIM_SET} WHERE id = $1 AND ${CLAIMABLE} RETURNING ${JOB_COLUMNS}`,
      [jobId, this.options.owner, this.options.leaseMs],
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  /** Claims up to `limit` running jobs of these sources whose lease lapsed (the sweeper). */
  async claimAbandoned(sources: string[], limit: number): Promise<FetchJob[]> {
    if (limit <= 0) return [];
    const { rows } = await this.pool.query<JobRow>(
      `UPDATE ops.sync_jobs SET ${CLAIM_SET}
        WHERE id IN (SELECT id FROM ops.sync_jobs
                      WHERE status = 'running' AND source = ANY($1::text[]) AND ${CLAIMABLE}
                      ORDER BY lease_until NULLS FIRST LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING ${JOB_COLUMNS}`,
      [sources, this.options.owner, this.options.leaseMs, limit],
    );
    return rows.map(toJob);
  }

  /** The account row, or null when it does not exist. */
  async account(source: string, accountId: string): Promise<AccountRow | null> {
    const { rows } = await this.pool.query<AccountRow>(
      `SELECT * FROM ${source}.accounts WHERE account_id::text = $1`,
      [accountId],
    );
    return rows[0] ?? null;
  }

  /** Writes renewed credentials (already sealed by the caller) to the account row. */
  async saveCredentials(source: string, accountId: string, columns: Record<string, unknown>): Promise<void> {
    const names = Object.keys(columns);
    if (names.length === 0) return;
    const assignments = names.map((name, i) => `${quoteIdent(name)} = $${i + 2}`).join(', ');
    await this.pool.query(
      `UPDATE ${source}.accounts SET ${assignments}, updated_at = now() WHERE account_id::text = $1`,
      [accountId, ...names.map((name) => columns[name])],
    );
  }

  /**
   * What an earlier attempt of the job left for a resume: the request keys it published (saved with
   * its progress) or the loader stored, which are skipped, and the plan it saved.
   */
  async resumeState(source: string, jobId: string): Promise<{ skipRequestKeys: Set<string>; plan: unknown }> {
    const { rows } = await this.pool.query<{ request_key: string }>(
      `SELECT request_key FROM ${source}.raw_responses WHERE job_id = $1
        UNION SELECT request_key FROM ops.published_requests WHERE job_id = $1`,
      [jobId],
    );
    const { rows: plans } = await this.pool.query<{ plan: unknown }>(
      `SELECT plan FROM ops.sync_jobs WHERE id = $1`,
      [jobId],
    );
    return { skipRequestKeys: new Set(rows.map((r) => r.request_key)), plan: plans[0]?.plan ?? undefined };
  }

  /** Records request keys whose envelopes are on the raw topic (a resume skips them). */
  async savePublished(jobId: string, requestKeys: string[]): Promise<void> {
    if (requestKeys.length === 0) return;
    await this.pool.query(
      `INSERT INTO ops.published_requests (job_id, request_key) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
      [jobId, requestKeys],
    );
  }

  /** Keeps the job's plan for a resume (only while the job is ours). */
  async savePlan(jobId: string, plan: unknown): Promise<void> {
    await this.pool.query(`UPDATE ops.sync_jobs SET plan = $3::jsonb WHERE id = $1 AND owner = $2`, [
      jobId,
      this.options.owner,
      JSON.stringify(plan),
    ]);
  }

  /** Writes progress and renews the lease; false when the job is no longer ours. */
  async saveProgress(jobId: string, snapshot: ProgressSnapshot): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE ops.sync_jobs SET ${PROGRESS_SET}, lease_until = now() + make_interval(secs => $9::float8 / 1000), updated_at = now()
        WHERE id = $1 AND owner = $2 AND status = 'running'`,
      [...progressParams(jobId, this.options.owner, snapshot), this.options.leaseMs],
    );
    return rowCount === 1;
  }

  /**
   * Everything was requested: record it (with renewed credentials; an account whose block cooled down
   * is active again, as its session got through), then finish the job if the loader has already caught up.
   */
  async completeFetch(
    jobId: string,
    snapshot: ProgressSnapshot,
    error: string | null,
    writes: OutcomeWrites = {},
  ): Promise<FinishedJob[]> {
    const rowCount = await inTransaction(this.pool, async (client) => {
      await writeAccount(client, writes, { liftBlock: true });
      const { rowCount } = await client.query(
        `UPDATE ops.sync_jobs SET ${PROGRESS_SET}, error = COALESCE($9, error), error_code = COALESCE($10, error_code), fetch_completed_at = now(), updated_at = now()
          WHERE id = $1 AND owner = $2 AND status = 'running'`,
        [...progressParams(jobId, this.options.owner, snapshot), error, writes.errorCode ?? null],
      );
      return rowCount;
    });
    return rowCount === 1 ? finishJobsIfComplete(this.pool, [jobId]) : [];
  }

  /** Stopping early: save progress and let any fetcher's sweeper resume the job at once. */
  async handBack(jobId: string, snapshot: ProgressSnapshot, writes: OutcomeWrites = {}): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await writeAccount(client, writes);
      await client.query(
        `UPDATE ops.sync_jobs SET ${PROGRESS_SET}, owner = NULL, lease_until = now(), updated_at = now()
          WHERE id = $1 AND owner = $2 AND status = 'running'`,
        progressParams(jobId, this.options.owner, snapshot),
      );
    });
  }

  /** Ends the job as failed without waiting for the loader (nothing more will be fetched). */
  async fail(jobId: string, error: string, snapshot?: ProgressSnapshot): Promise<void> {
    await failJob(this.pool, jobId, this.options.owner, error, snapshot);
  }

  /** The account's credentials were rejected: account → needs_reauth (+ outbox event) and the job fails, atomically. */
  async failForAuth(
    job: FetchJob,
    reason: string,
    snapshot: ProgressSnapshot,
    writes: OutcomeWrites = {},
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await writeAccount(client, writes);
      await markNeedsReauth(client, job.source, job.accountId, reason);
      await failJob(
        client,
        job.id,
        this.options.owner,
        `authentication failed: ${reason}`,
        snapshot,
        'needs_reauth',
      );
    });
  }

  /** The upstream's edge blocks the account: account → blocked until the cool-down ends (+ outbox event), job fails; atomically. */
  async failForBlock(
    job: FetchJob,
    reason: string,
    coolDownMs: number,
    snapshot: ProgressSnapshot,
    writes: OutcomeWrites = {},
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await writeAccount(client, writes);
      await markBlocked(client, job.source, job.accountId, reason, coolDownMs);
      await failJob(client, job.id, this.options.owner, `blocked: ${reason}`, snapshot, 'blocked');
    });
  }
}

function progressParams(jobId: string, owner: string, s: ProgressSnapshot): unknown[] {
  return [
    jobId,
    owner,
    s.planned,
    s.fetched,
    s.failed,
    JSON.stringify(s.progress),
    JSON.stringify(s.errors),
    JSON.stringify(s.notes),
  ];
}

async function failJob(
  db: Pick<Pool, 'query'>,
  jobId: string,
  owner: string,
  error: string,
  snapshot?: ProgressSnapshot,
  errorCode: string | null = null,
): Promise<void> {
  const s = snapshot ?? { planned: 0, fetched: 0, failed: 0, progress: {}, errors: [], notes: [] };
  await db.query(
    `UPDATE ops.sync_jobs
        SET status = 'failed', error = $3, error_code = $10, finished_at = now(), fetch_completed_at = COALESCE(fetch_completed_at, now()),
            owner = NULL, lease_until = NULL, updated_at = now(),
            planned = GREATEST(planned, $4), fetched = GREATEST(fetched, $5), failed = GREATEST(failed, $6),
            progress = CASE WHEN $7::jsonb = '{}'::jsonb THEN progress ELSE $7::jsonb END,
            errors = CASE WHEN $8::jsonb = '[]'::jsonb THEN errors ELSE $8::jsonb END,
            notes = CASE WHEN $9::jsonb = '[]'::jsonb THEN notes ELSE $9::jsonb END
      WHERE id = $1 AND owner = $2 AND status = 'running'`,
    [
      jobId,
      owner,
      error.slice(0, 1000),
      s.planned,
      s.fetched,
      s.failed,
      JSON.stringify(s.progress),
      JSON.stringify(s.errors),
      JSON.stringify(s.notes),
      errorCode,
    ],
  );
}

/** Renewed credentials onto the account row; `liftBlock`: a blocked account whose job got through is active again. */
async function writeAccount(
  client: PoolClient,
  writes: OutcomeWrites,
  options: { liftBlock?: boolean } = {},
): Promise<void> {
  const { account, credentialColumns } = writes;
  if (!account) return;
  const names = Object.keys(credentialColumns ?? {});
  if (credentialColumns && names.length > 0) {
    const assignments = names.map((name, i) => `${quoteIdent(name)} = $${i + 2}`).join(', ');
    await client.query(
      `UPDATE ${account.source}.accounts SET ${assignments}, updated_at = now() WHERE account_id::text = $1`,
      [account.accountId, ...names.map((name) => credentialColumns[name])],
    );
  }
  if (options.liftBlock) {
    await client.query(
      `UPDATE ${account.source}.accounts SET status = 'active', status_reason = NULL, blocked_until = NULL, updated_at = now()
        WHERE account_id::text = $1 AND status = 'blocked'`,
      [account.accountId],
    );
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a column name: ${name}`);
  return `"${name}"`;
}

function toJob(row: JobRow): FetchJob {
  return {
    id: row.id,
    source: row.source,
    accountId: row.account_id,
    mode: row.mode,
    scrapeDate: row.scrape_date,
  };
}
