import type { ClientBase, Pool } from 'pg';

/**
 * The one place a sync job finishes. A job is complete when the fetcher has published everything
 * (fetch_completed_at set) and the loader has loaded every published response (loaded >= fetched).
 * Both the fetcher (after marking fetch completion) and the loader (after each batch commit) call
 * this; under READ COMMITTED whichever runs last sees both conditions. Success advances the
 * account's last_sync_at to the job's start (a watermark); a job with failed requests ends
 * `failed` and leaves last_sync_at alone, so the gap is fetched again next time.
 */
export async function finishJobsIfComplete(db: Pool | ClientBase, jobIds: string[]): Promise<Array<{ id: string; status: string }>> {
  if (jobIds.length === 0) return [];
  const { rows } = await db.query<{ id: string; status: string; source: string; account_id: string; started_at: Date }>(
    `UPDATE ops.sync_jobs
        SET status = CASE WHEN failed = 0 AND error IS NULL THEN 'succeeded' ELSE 'failed' END,
            finished_at = now(), updated_at = now(), owner = NULL, lease_until = NULL
      WHERE id = ANY($1::uuid[]) AND status = 'running' AND fetch_completed_at IS NOT NULL AND loaded >= fetched
      RETURNING id, status, source, account_id, started_at`,
    [jobIds],
  );
  for (const job of rows.filter((r) => r.status === 'succeeded')) {
    await db.query(
      `UPDATE ${job.source}.accounts SET last_sync_at = GREATEST(COALESCE(last_sync_at, $2), $2), updated_at = now() WHERE account_id::text = $1`,
      [job.account_id, job.started_at],
    );
  }
  return rows.map((r) => ({ id: r.id, status: r.status }));
}

/** Recounts `loaded` from the raw store: distinct request keys stored for the job (re-deliveries count once). */
export async function refreshLoadedCounts(db: Pool | ClientBase, source: string, jobIds: string[]): Promise<void> {
  if (jobIds.length === 0) return;
  await db.query(
    `UPDATE ops.sync_jobs j
        SET loaded = c.loaded, updated_at = now()
       FROM (SELECT job_id, count(DISTINCT request_key)::int AS loaded FROM ${source}.raw_responses WHERE job_id = ANY($1::uuid[]) GROUP BY job_id) c
      WHERE j.id = c.job_id`,
    [jobIds],
  );
}
