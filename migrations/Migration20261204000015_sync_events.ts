import { Migration } from '@mikro-orm/migrations';

/**
 * `sync.events.v1` from the job rows themselves: a trigger on ops.sync_jobs writes each lifecycle step
 * to the transactional outbox (admin's relay publishes it, keyed by job id, in outbox id order), in the
 * transaction of whoever makes the step — admin queues (job.queued), the fetcher claims
 * (job.started) and completes the fetch (one resource.finished per listing / resource of its progress,
 * with counts), and whoever finishes the job (the loader after the last response, or the fetcher on a
 * failure) finishes it (job.finished: status, counts, duration, error code). No path that changes a
 * job can forget its event, and an event exists exactly when its change committed.
 */
export class Migration20261204000015_sync_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE OR REPLACE FUNCTION ops.sync_job_event(j ops.sync_jobs, event_type text, data jsonb) RETURNS void AS $$
        INSERT INTO ops.outbox (topic, message_key, value)
        VALUES ('sync.events', j.id::text, jsonb_build_object(
          'schemaVersion', 1, 'eventId', gen_random_uuid(), 'jobId', j.id, 'source', j.source, 'accountId', j.account_id,
          'type', event_type, 'at', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'data', data))
      $$ LANGUAGE sql`);
    this.addSql(`
      CREATE OR REPLACE FUNCTION ops.sync_jobs_events() RETURNS trigger AS $$
      DECLARE
        resource record;
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM ops.sync_job_event(NEW, 'job.queued', jsonb_build_object('mode', NEW.mode, 'trigger', NEW.trigger));
          RETURN NEW;
        END IF;
        IF OLD.started_at IS NULL AND NEW.started_at IS NOT NULL THEN
          PERFORM ops.sync_job_event(NEW, 'job.started', jsonb_build_object('mode', NEW.mode, 'trigger', NEW.trigger, 'scrapeDate', NEW.scrape_date));
        END IF;
        IF OLD.fetch_completed_at IS NULL AND NEW.fetch_completed_at IS NOT NULL THEN
          FOR resource IN SELECT key, value FROM jsonb_each(NEW.progress) ORDER BY key LOOP
            PERFORM ops.sync_job_event(NEW, 'resource.finished', jsonb_build_object(
              'resourceId', resource.key,
              'planned', COALESCE((resource.value->>'planned')::int, 0),
              'fetched', COALESCE((resource.value->>'fetched')::int, 0),
              'failed', COALESCE((resource.value->>'failed')::int, 0)));
          END LOOP;
        END IF;
        IF OLD.finished_at IS NULL AND NEW.finished_at IS NOT NULL THEN
          PERFORM ops.sync_job_event(NEW, 'job.finished', jsonb_build_object(
            'status', NEW.status, 'planned', NEW.planned, 'fetched', NEW.fetched, 'loaded', NEW.loaded, 'failed', NEW.failed,
            'deadLettered', NEW.dead_lettered,
            'durationMs', floor(extract(epoch FROM NEW.finished_at - COALESCE(NEW.started_at, NEW.created_at)) * 1000)::bigint,
            'errorCode', NEW.error_code, 'error', left(NEW.error, 500)));
        END IF;
        RETURN NEW;
      END
      $$ LANGUAGE plpgsql`);
    this.addSql(
      `CREATE TRIGGER sync_jobs_events AFTER INSERT OR UPDATE ON ops.sync_jobs FOR EACH ROW EXECUTE FUNCTION ops.sync_jobs_events()`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TRIGGER IF EXISTS sync_jobs_events ON ops.sync_jobs`);
    this.addSql(`DROP FUNCTION IF EXISTS ops.sync_jobs_events()`);
    this.addSql(`DROP FUNCTION IF EXISTS ops.sync_job_event(ops.sync_jobs, text, jsonb)`);
  }
}
