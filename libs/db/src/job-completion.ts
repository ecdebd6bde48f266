import type { ClientBase, Pool } from 'pg';
import { inTransaction } from './transaction';

/**
 * The one place a sync job finishes. A job is complete when the fetcher has published everything
 * (fetch_completed_at set) and the loader has settled every published response: loaded or dead-lettered.
 * Both the fetcher (after marking fetch completion) and the loader (after each batch commit) call
 * this; under READ COMMITTED whichever runs last sees both conditions. Success advances the
 * account's last_sync_at to the job's start (a watermark); a job with failed requests ends
 * `failed` and leaves last_sync_at alone, so the gap is fetched again next time.
 *
 * Responses the loader dead-lettered settle a job too (loaded + dead_lettered >= fetched); the job
 * then ends `failed`, saying how many, so one bad response cannot keep it (and its account's next
 * syncs) running forever.
 *
 * `loaded` is a running counter the loader adds to; before a job finishes on it, it is recounted
 * from the raw store (once per job, at the end), so a counter that raced ahead cannot end a job early.
 *
 * A job whose data responses (see SourcePlugin.dataOperations) all parsed to zero rows ends with
 * the ZERO_ROWS_WARNING note; the caller counts it (FinishedJob.zeroRows).
 */
export async function finishJobsIfComplete(pool: Pool, jobIds: string[]): Promise<FinishedJob[]> {
  if (jobIds.length === 0) return [];
  const candidates = await pool.query<{ id: string; source: string }>(
    `SELECT id, source FROM ops.sync_jobs
      WHERE id = ANY($1::uuid[]) AND status = 'running' AND fetch_completed_at IS NOT NULL AND loaded + dead_lettered >= fetched`,
    [jobIds],
  );
  if (candidates.rows.length === 0) return [];
  const finished: FinishedJob[] = [];
  for (const [source, ids] of groupBySource(candidates.rows)) {
    const rows = await inTransaction(pool, async (db) => {
      // in id order, like addLoadedCounts: a loader transaction adding to these jobs cannot deadlock with this
      await db.query(`SELECT 1 FROM ops.sync_jobs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
      await recountLoaded(db, source, ids);
      return finishComplete(db, source, ids);
    });
    finished.push(...rows);
  }
  return finished;
}

export interface FinishedJob {
  id: string;
  source: string;
  status: string;
  /** the job ended with the zero-rows warning note */
  zeroRows: boolean;
}

/**
 * The note on a job whose data responses all parsed to zero rows (`%n`: how many). A changed response
 * shape that still parses (as empty) looks exactly like this; see the runbook's "zero-row warning".
 */
export const ZERO_ROWS_WARNING =
  'warning: all %n data response(s) parsed to zero rows: check for a changed upstream response shape (runbook: zero-row warning)';

export function zeroRowsWarning(dataResponses: number): string {
  return ZERO_ROWS_WARNING.replace('%n', String(dataResponses));
}

/** One statement: nobody sees a job succeeded whose account watermark has not moved yet. */
async function finishComplete(db: ClientBase, source: string, ids: string[]): Promise<FinishedJob[]> {
  const [before, after] = ZERO_ROWS_WARNING.split('%n');
  const { rows } = await db.query<FinishedJob>(
    `WITH finished AS (
         UPDATE ops.sync_jobs
            SET status = CASE WHEN failed = 0 AND dead_lettered = 0 AND error IS NULL THEN 'succeeded' ELSE 'failed' END,
                error = CASE WHEN error IS NULL AND dead_lettered > 0
                             THEN dead_lettered || ' response(s) could not be loaded and went to the dead-letter topic'
                             ELSE error END,
                notes = CASE WHEN data_responses > 0 AND data_rows = 0
                             THEN notes || jsonb_build_array($2::text || data_responses || $3::text)
                             ELSE notes END,
                finished_at = now(), updated_at = now(), owner = NULL, lease_until = NULL
          WHERE id = ANY($1::uuid[]) AND status = 'running' AND fetch_completed_at IS NOT NULL AND loaded + dead_lettered >= fetched
          RETURNING id, source, status, account_id, started_at, data_responses > 0 AND data_rows = 0 AS "zeroRows"),
       watermark AS (
         UPDATE ${sourceSchema(source)}.accounts a
            SET last_sync_at = GREATEST(COALESCE(a.last_sync_at, f.started_at), f.started_at), updated_at = now()
           FROM finished f
          WHERE f.status = 'succeeded' AND a.account_id::text = f.account_id)
       SELECT id, source, status, "zeroRows" FROM finished`,
    [ids, before, after],
  );
  return rows;
}

/** What one load adds to a job. */
export interface JobLoadCounts {
  /** responses newly stored in the raw store */
  loaded: number;
  /** parsed responses of the source's data operations */
  dataResponses: number;
  /** the rows those responses gave */
  dataRows: number;
}

/** The jobs a load counted against, and those of them that looked complete after its counts. */
export interface CountedJobs {
  counted: string[];
  /** candidates for finishJobsIfComplete once the transaction commits */
  complete: string[];
}

/**
 * Adds a load's counts to its jobs (`loaded`, `data_responses`, `data_rows`; the data counts only
 * while the job is unfinished), in one statement: its sub-select locks the job rows in id order
 * first, so two loader transactions updating the same jobs never deadlock. Returns which jobs now
 * look complete: the rows are locked, so a fetcher marking fetch completion either committed before
 * (and is seen here) or commits after this transaction (and finishes the job itself).
 */
export async function addJobLoadCounts(
  db: Pool | ClientBase,
  counts: ReadonlyMap<string, JobLoadCounts>,
): Promise<CountedJobs> {
  const ids = [...counts.keys()]
    .filter((id) => {
      const c = counts.get(id)!;
      return c.loaded > 0 || c.dataResponses > 0;
    })
    .sort();
  if (ids.length === 0) return { counted: [], complete: [] };
  const of = (field: keyof JobLoadCounts) => ids.map((id) => counts.get(id)![field]);
  const { rows } = await db.query<{ id: string; complete: boolean }>(
    `UPDATE ops.sync_jobs j
        SET loaded = j.loaded + a.loaded,
            -- a finished job's figures stay as they ended (a topic replay re-reads its responses)
            data_responses = j.data_responses + CASE WHEN j.finished_at IS NULL THEN a.data_responses ELSE 0 END,
            data_rows = j.data_rows + CASE WHEN j.finished_at IS NULL THEN a.data_rows ELSE 0 END,
            updated_at = now()
       FROM (SELECT a.* FROM ops.sync_jobs locked
               JOIN unnest($1::uuid[], $2::int4[], $3::int4[], $4::int8[]) AS a(id, loaded, data_responses, data_rows)
                 ON locked.id = a.id
              ORDER BY locked.id FOR UPDATE OF locked) AS a
      WHERE j.id = a.id
      RETURNING j.id, (j.status = 'running' AND j.fetch_completed_at IS NOT NULL AND j.loaded + j.dead_lettered >= j.fetched) AS complete`,
    [ids, of('loaded'), of('dataResponses'), of('dataRows')],
  );
  return { counted: rows.map((r) => r.id), complete: rows.filter((r) => r.complete).map((r) => r.id) };
}

/** Adds to the dead_lettered counter of each job, in one statement that locks the job rows in id order first (as addJobLoadCounts). */
async function addDeadLetteredCounts(
  db: Pool | ClientBase,
  added: ReadonlyMap<string, number>,
): Promise<void> {
  const ids = [...added.keys()].filter((id) => (added.get(id) ?? 0) > 0).sort();
  if (ids.length === 0) return;
  await db.query(
    `UPDATE ops.sync_jobs j SET dead_lettered = j.dead_lettered + a.added, updated_at = now()
       FROM (SELECT a.* FROM ops.sync_jobs locked
               JOIN unnest($1::uuid[], $2::int4[]) AS a(id, added) ON locked.id = a.id
              ORDER BY locked.id FOR UPDATE OF locked) AS a
      WHERE j.id = a.id`,
    [ids, ids.map((id) => added.get(id))],
  );
}

export interface DeadLetteredResponse {
  jobId: string;
  requestKey: string;
  stage: string;
  reason: string;
  parserVersion: number | null;
}

export interface RecordedDeadLetters {
  /** responses whose job does not exist (never created, or deleted since): not recorded */
  withoutJob: DeadLetteredResponse[];
  /** jobs these dead letters settled */
  finished: FinishedJob[];
}

/**
 * Records responses the loader dead-lettered against their jobs (once per job and request key: a
 * redelivered dead letter adds nothing) and finishes the jobs they settle. Only for jobs that exist:
 * the others come back in `withoutJob` for the caller to count (a hard-deleted account's jobs are
 * gone, and nothing of them may be kept).
 */
export async function recordDeadLettered(
  db: Pool,
  responses: DeadLetteredResponse[],
): Promise<RecordedDeadLetters> {
  if (responses.length === 0) return { withoutJob: [], finished: [] };
  const { jobIds, withoutJob } = await inTransaction(db, async (client) => {
    const existing = await client.query<{ id: string }>(
      `SELECT id::text FROM ops.sync_jobs WHERE id = ANY($1::uuid[])`,
      [[...new Set(responses.map((r) => r.jobId))]],
    );
    const jobs = new Set(existing.rows.map((r) => r.id));
    const ofJobs = responses.filter((r) => jobs.has(r.jobId.toLowerCase()));
    const { rows } = await client.query<{ job_id: string }>(
      `INSERT INTO ops.dead_lettered_responses (job_id, request_key, stage, reason, parser_version)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int4[]) AS u(job_id, request_key, stage, reason, parser_version)
        -- again here: a job deleted since the lookup gets nothing either
        WHERE EXISTS (SELECT 1 FROM ops.sync_jobs j WHERE j.id = u.job_id)
       ON CONFLICT (job_id, request_key) DO NOTHING
       RETURNING job_id`,
      [
        ofJobs.map((r) => r.jobId),
        ofJobs.map((r) => r.requestKey),
        ofJobs.map((r) => r.stage),
        ofJobs.map((r) => r.reason.slice(0, 2000)),
        ofJobs.map((r) => r.parserVersion),
      ],
    );
    const added = new Map<string, number>();
    for (const { job_id } of rows) added.set(job_id, (added.get(job_id) ?? 0) + 1);
    await addDeadLetteredCounts(client, added);
    return {
      jobIds: [...added.keys()],
      withoutJob: responses.filter((r) => !jobs.has(r.jobId.toLowerCase())),
    };
  });
  return { withoutJob, finished: await finishJobsIfComplete(db, jobIds) };
}

/**
 * Sets `loaded` to the distinct request keys stored and parsed for each job (re-deliveries and
 * re-fetches count once; the unparsed responses kept for a replay count as dead-lettered instead).
 */
export async function recountLoaded(db: Pool | ClientBase, source: string, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await db.query(
    `UPDATE ops.sync_jobs j
        SET loaded = COALESCE(c.loaded, 0), updated_at = now()
       FROM unnest($1::uuid[]) AS ids(id)
       LEFT JOIN (SELECT job_id, count(DISTINCT request_key)::int AS loaded FROM ${sourceSchema(source)}.raw_responses
                   WHERE job_id = ANY($1::uuid[]) AND parser_version IS NOT NULL GROUP BY job_id) c ON c.job_id = ids.id
      WHERE j.id = ids.id AND j.loaded IS DISTINCT FROM COALESCE(c.loaded, 0)`,
    [jobIds],
  );
}

function groupBySource(rows: Array<{ id: string; source: string }>): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const { id, source } of rows) (groups.get(source) ?? groups.set(source, []).get(source)!).push(id);
  return groups;
}

/** Sources name their schema; the name comes from our own table, but it is spliced into SQL, so check it. */
function sourceSchema(source: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(source))
    throw new Error(`not a source schema name: ${JSON.stringify(source)}`);
  return source;
}
