import { Migration } from '@mikro-orm/migrations';

/**
 * Responses of a job that the loader dead-lettered (unparseable, or refused by the database). They
 * settle the job like loaded ones — a job whose every response is loaded or dead-lettered finishes,
 * as `failed` when any was dead-lettered — so one bad response cannot keep a job, and with it its
 * account's next syncs, running forever. One row per job and request key: a redelivered dead letter
 * counts once.
 */
export class Migration20261203000005_dead_lettered_responses extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE ops.dead_lettered_responses (
        job_id uuid NOT NULL,
        request_key text NOT NULL,
        stage varchar(16) NOT NULL,
        reason text NOT NULL,
        parser_version integer NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_dead_lettered_responses PRIMARY KEY (job_id, request_key)
      )`);
    this.addSql(`ALTER TABLE ops.sync_jobs ADD COLUMN dead_lettered integer NOT NULL DEFAULT 0`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE ops.sync_jobs DROP COLUMN IF EXISTS dead_lettered`);
    this.addSql(`DROP TABLE IF EXISTS ops.dead_lettered_responses`);
  }
}
