import { Migration } from '@mikro-orm/migrations';

/**
 * What a resumed fetch needs so it does not call the upstream again for work already done (issue 11):
 * - `ops.published_requests`: the request keys the fetcher has published to the raw topic for a job,
 *   written with its progress flush (about once a second). A resume skips them as it skips the ones
 *   the loader already stored, so a kill re-fetches at most what was in flight since the last flush.
 * - `ops.sync_jobs.plan`: the resources the job found (Airbnb: its listings), saved once; a resume
 *   plans from it instead of repeating the listings call.
 * Both go with their job (ON DELETE CASCADE; the plan is a column of it).
 */
export class Migration20261204000011_fetch_resume_state extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE ops.published_requests (
        job_id uuid NOT NULL REFERENCES ops.sync_jobs (id) ON DELETE CASCADE,
        request_key text NOT NULL,
        CONSTRAINT pk_published_requests PRIMARY KEY (job_id, request_key)
      )`);
    this.addSql(`ALTER TABLE ops.sync_jobs ADD COLUMN plan jsonb NULL`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE ops.sync_jobs DROP COLUMN IF EXISTS plan`);
    this.addSql(`DROP TABLE IF EXISTS ops.published_requests`);
  }
}
