import type { ClientBase, Pool } from 'pg';

/**
 * The one place a sync job finishes. A job is complete when the fetcher has published everything
 * (fetch_completed_at set) and the loader has loaded every published response (loaded >= fetched).
 * Both the fetcher (after marking fetch completion) and the loader (after each batch commit) call
 * this; under READ COMMITTED whichever runs last sees both conditions. Success advances the
 * account's last_sync_at to the job's start (a watermark); a job with failed requests ends
 * `failed` and leaves last_sync_at alone, so the gap is fetched again next time.
 *
 * `loaded` is a running counter the loader adds to; before a job finishes on it, it is recounted
 * from the raw store (once per job, at the end), so a counter that raced ahead cannot end a job early.
 */
export async function finishJobsIfComplete(db: Pool | ClientBase, jobIds: string[]): Promise<Array<{ id: string; status: string }>> {
  if (jobIds.length === 0) return [];
  const candidates = await db.query<{ id: string; source: string }>(
    `SELECT id, source FROM ops.sync_jobs
      WHERE id = ANY($1::uuid[]) AND status = 'running' AND fetch_completed_at IS NOT NULL AND loaded >= fetched`,
    [jobIds],
  );
  if (candidates.rows.length === 0) return [];
  for (const [source, ids] of groupBySource(candidates.rows)) await recountLoaded(db, source, ids);

  const { rows } = await db.query<{ id: string; status: string; source: string; account_id: string; started_at: Date }>(
    `UPDATE ops.sync_jobs
        SET status = CASE WHEN failed = 0 AND error IS NULL THEN 'succeeded' ELSE 'failed' END,
            finished_at = now(), updated_at = now(), owner = NULL, lease_until = NULL
      WHERE id = ANY($1::uuid[]) AND status = 'running' AND fetch_completed_at IS NOT NULL AND loaded >= fetched
      RETURNING id, status, source, account_id, started_at`,
    [candidates.rows.map((r) => r.id)],
  );
  for (const job of rows.filter((r) => r.status === 'succeeded')) {
    await db.query(
      `UPDATE ${sourceSchema(job.source)}.accounts SET last_sync_at = GREATEST(COALESCE(last_sync_at, $2), $2), updated_at = now() WHERE account_id::text = $1`,
      [job.account_id, job.started_at],
    );
  }
  return rows.map((r) => ({ id: r.id, status: r.status }));
}

/**
 * Adds responses newly stored in the raw store to their jobs' `loaded` counters. The job rows are
 * locked in id order first, so two loader transactions updating the same jobs never deadlock.
 */
export async function addLoadedCounts(db: Pool | ClientBase, added: ReadonlyMap<string, number>): Promise<void> {
  const ids = [...added.keys()].filter((id) => (added.get(id) ?? 0) > 0).sort();
  if (ids.length === 0) return;
  await db.query(`SELECT 1 FROM ops.sync_jobs WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [ids]);
  await db.query(
    `UPDATE ops.sync_jobs j SET loaded = j.loaded + a.added, updated_at = now()
       FROM unnest($1::uuid[], $2::int4[]) AS a(id, added) WHERE j.id = a.id`,
    [ids, ids.map((id) => added.get(id))],
  );
}

/** Sets `loaded` to the distinct request keys stored for each job (re-deliveries and re-fetches count once). */
export async function recountLoaded(db: Pool | ClientBase, source: string, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await db.query(
    `UPDATE ops.sync_jobs j
        SET loaded = COALESCE(c.loaded, 0), updated_at = now()
       FROM unnest($1::uuid[]) AS ids(id)
       LEFT JOIN (SELECT job_id, count(DISTINCT request_key)::int AS loaded FROM ${sourceSchema(source)}.raw_responses
                   WHERE job_id = ANY($1::uuid[]) GROUP BY job_id) c ON c.job_id = ids.id
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
  if (!/^[a-z][a-z0-9_]*$/.test(source)) throw new Error(`not a source schema name: ${JSON.stringify(source)}`);
  return source;
}
