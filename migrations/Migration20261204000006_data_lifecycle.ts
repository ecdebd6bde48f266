import { Migration } from '@mikro-orm/migrations';

const SOURCES = ['airbnb', 'hostaway'];

/**
 * Data lifecycle (issue 14):
 *
 * - `ops.deleted_accounts`: accounts that were hard-deleted. The loader and the replay refuse their
 *   envelopes, the fetcher their jobs. `ops.refuse_deleted_accounts(source, ids)` is the one query a
 *   write transaction makes per batch: it takes a shared transaction-level advisory lock per account
 *   (the hard delete takes it exclusively while it records the account, so it waits for the writes
 *   already under way and every later one sees the record), then returns the batch's deleted accounts.
 *   PL/pgSQL, VOLATILE: under READ COMMITTED its SELECT takes its snapshot after the locks are held.
 * - `<source>.response_parses`: the parser version a replay (or a redelivery read by a newer parser)
 *   applied to a stored response. The raw row keeps the version that first loaded it and is never
 *   updated again, so a replay leaves the raw store, and its compressed chunks, untouched.
 * - `ops.replays.parser_version` and row counts, next to the range it already records.
 */
export class Migration20261204000006_data_lifecycle extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE ops.deleted_accounts (
        source varchar(32) NOT NULL,
        account_id varchar(32) NOT NULL,
        deleted_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_deleted_accounts PRIMARY KEY (source, account_id)
      )`);
    this.addSql(`
      CREATE FUNCTION ops.account_lock_key(p_source text, p_account_id text) RETURNS bigint
      LANGUAGE sql IMMUTABLE AS $$ SELECT hashtextextended('staysync.account:' || p_source || ':' || p_account_id, 0) $$`);
    this.addSql(`
      CREATE FUNCTION ops.refuse_deleted_accounts(p_source text, p_account_ids text[]) RETURNS SETOF text
      LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        id text;
      BEGIN
        FOR id IN SELECT DISTINCT u FROM unnest(p_account_ids) AS u ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock_shared(ops.account_lock_key(p_source, id));
        END LOOP;
        RETURN QUERY SELECT d.account_id::text FROM ops.deleted_accounts d
                      WHERE d.source = p_source AND d.account_id = ANY (p_account_ids);
      END
      $$`);

    for (const source of SOURCES) {
      this.addSql(`
        CREATE TABLE ${source}.response_parses (
          request_key text NOT NULL,
          fetched_at timestamptz NOT NULL,
          account_id varchar(32) NOT NULL,
          parser_version integer NOT NULL,
          parsed_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT pk_${source}_response_parses PRIMARY KEY (request_key, fetched_at)
        )`);
      this.addSql(
        `CREATE INDEX ix_${source}_response_parses_account ON ${source}.response_parses (account_id)`,
      );
      // per stored response: the parser version that produced its current rows
      this.addSql(`
        CREATE VIEW ${source}.response_parser_versions AS
        SELECT r.request_key, r.fetched_at, r.account_id,
               COALESCE(p.parser_version, r.parser_version) AS parser_version,
               COALESCE(p.parsed_at, r.parsed_at) AS parsed_at
          FROM ${source}.raw_responses r
          LEFT JOIN ${source}.response_parses p ON p.request_key = r.request_key AND p.fetched_at = r.fetched_at`);
    }

    this.addSql(`ALTER TABLE ops.replays ADD COLUMN parser_version integer NULL,
                   ADD COLUMN rows_added integer NULL, ADD COLUMN rows_changed integer NULL, ADD COLUMN rows_unchanged integer NULL,
                   ADD COLUMN refused integer NOT NULL DEFAULT 0`);
    this.addSql(
      `CREATE INDEX ix_replays_account ON ops.replays (source, account_id) WHERE account_id IS NOT NULL`,
    );
    // the retention job's and the hard delete's lookups
    this.addSql(
      `CREATE INDEX ix_dead_lettered_responses_created ON ops.dead_lettered_responses (created_at)`,
    );
    this.addSql(
      `CREATE INDEX ix_outbox_published ON ops.outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    this.addSql(
      `CREATE INDEX ix_sync_jobs_finished ON ops.sync_jobs (finished_at) WHERE finished_at IS NOT NULL`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`DROP INDEX IF EXISTS ops.ix_sync_jobs_finished`);
    this.addSql(`DROP INDEX IF EXISTS ops.ix_outbox_published`);
    this.addSql(`DROP INDEX IF EXISTS ops.ix_dead_lettered_responses_created`);
    this.addSql(`DROP INDEX IF EXISTS ops.ix_replays_account`);
    this
      .addSql(`ALTER TABLE ops.replays DROP COLUMN IF EXISTS refused, DROP COLUMN IF EXISTS rows_unchanged, DROP COLUMN IF EXISTS rows_changed,
                   DROP COLUMN IF EXISTS rows_added, DROP COLUMN IF EXISTS parser_version`);
    for (const source of [...SOURCES].reverse()) {
      // the version a replay applied goes back onto the raw row, where the previous schema kept it
      this
        .addSql(`UPDATE ${source}.raw_responses r SET parser_version = p.parser_version, parsed_at = p.parsed_at
                     FROM ${source}.response_parses p WHERE r.request_key = p.request_key AND r.fetched_at = p.fetched_at`);
      this.addSql(`DROP VIEW IF EXISTS ${source}.response_parser_versions`);
      this.addSql(`DROP TABLE IF EXISTS ${source}.response_parses`);
    }
    this.addSql(`DROP FUNCTION IF EXISTS ops.refuse_deleted_accounts(text, text[])`);
    this.addSql(`DROP FUNCTION IF EXISTS ops.account_lock_key(text, text)`);
    this.addSql(`DROP TABLE IF EXISTS ops.deleted_accounts`);
  }
}
