import { Migration } from '@mikro-orm/migrations';

/**
 * Schemas, accounts of both sources, sync jobs, replays, the transactional outbox and the raw
 * response stores. Timescale-specific steps live in Migration20261122000003_timescale.
 */
export class Migration20261122000001_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE SCHEMA IF NOT EXISTS airbnb`);
    this.addSql(`CREATE SCHEMA IF NOT EXISTS hostaway`);
    this.addSql(`CREATE SCHEMA IF NOT EXISTS ops`);

    this.addSql(`
      CREATE TABLE airbnb.accounts (
        account_id varchar(32) PRIMARY KEY CHECK (account_id ~ '^[0-9]+$'),
        customer_id uuid NULL,
        airbnb_cookie text NOT NULL,              -- AES-256-GCM ciphertext "v1:<keyId>:…" (never the cookie itself)
        x_client_version varchar(128) NOT NULL,
        user_agent text NOT NULL,
        credentials_updated_at timestamptz NOT NULL DEFAULT now(),
        is_active boolean NOT NULL DEFAULT true,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth', 'paused')),
        status_reason text NULL,
        last_sync_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz NULL
      )`);
    this.addSql(`CREATE INDEX ix_airbnb_accounts_customer_id ON airbnb.accounts (customer_id)`);
    this.addSql(`CREATE INDEX ix_airbnb_accounts_is_active ON airbnb.accounts (is_active)`);
    this.addSql(`CREATE INDEX ix_airbnb_accounts_deleted_at ON airbnb.accounts (deleted_at)`);

    this.addSql(`
      CREATE TABLE hostaway.accounts (
        account_id bigint PRIMARY KEY,
        customer_id uuid NULL,
        client_secret text NOT NULL,              -- ciphertext
        access_token text NULL,                   -- ciphertext of the cached OAuth token
        access_token_issued_at timestamptz NULL,
        access_token_expires_at timestamptz NULL,
        webhook_login varchar(128) NULL,
        webhook_password_hash text NULL,          -- scrypt
        webhook_id integer NULL,
        credentials_updated_at timestamptz NOT NULL DEFAULT now(),
        is_active boolean NOT NULL DEFAULT true,
        status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth', 'paused')),
        status_reason text NULL,
        last_sync_at timestamptz NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz NULL
      )`);
    this.addSql(`CREATE INDEX ix_hostaway_accounts_customer_id ON hostaway.accounts (customer_id)`);
    this.addSql(`CREATE INDEX ix_hostaway_accounts_is_active ON hostaway.accounts (is_active)`);
    this.addSql(`CREATE INDEX ix_hostaway_accounts_deleted_at ON hostaway.accounts (deleted_at)`);

    this.addSql(`
      CREATE TABLE ops.sync_jobs (
        id uuid PRIMARY KEY,
        source varchar(32) NOT NULL,
        account_id varchar(32) NOT NULL,
        mode varchar(16) NOT NULL CHECK (mode IN ('backfill', 'incremental', 'full')),
        trigger varchar(16) NOT NULL CHECK (trigger IN ('schedule', 'manual', 'startup', 'webhook', 'replay')),
        status varchar(16) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
        scrape_date date NULL,
        planned integer NOT NULL DEFAULT 0,
        fetched integer NOT NULL DEFAULT 0,
        loaded integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        progress jsonb NOT NULL DEFAULT '{}'::jsonb,   -- per listing/resource: planned, fetched, loaded, failed
        errors jsonb NOT NULL DEFAULT '[]'::jsonb,
        notes jsonb NOT NULL DEFAULT '[]'::jsonb,
        error text NULL,
        fetch_completed_at timestamptz NULL,
        owner varchar(128) NULL,                     -- fetcher instance working the job
        lease_until timestamptz NULL,                -- past it, another fetcher may resume the job
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NULL,
        finished_at timestamptz NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE INDEX ix_sync_jobs_account ON ops.sync_jobs (source, account_id, created_at DESC)`);
    this.addSql(`CREATE INDEX ix_sync_jobs_status ON ops.sync_jobs (status, created_at DESC)`);
    this.addSql(`CREATE INDEX ix_sync_jobs_lease ON ops.sync_jobs (lease_until) WHERE status = 'running'`);
    // at most one unfinished job per account: a second sync request gets the running one back
    this.addSql(
      `CREATE UNIQUE INDEX uq_sync_jobs_one_active ON ops.sync_jobs (source, account_id) WHERE status IN ('queued', 'running')`,
    );

    this.addSql(`
      CREATE TABLE ops.replays (
        id uuid PRIMARY KEY,
        source varchar(32) NOT NULL,
        origin varchar(8) NOT NULL CHECK (origin IN ('topic', 'store')),
        range_from timestamptz NOT NULL,
        range_to timestamptz NOT NULL,
        account_id varchar(32) NULL,
        dry_run boolean NOT NULL DEFAULT false,
        status varchar(16) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
        total integer NULL,
        processed integer NOT NULL DEFAULT 0,
        report jsonb NOT NULL DEFAULT '{}'::jsonb,
        error text NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz NULL,
        finished_at timestamptz NULL
      )`);

    this.addSql(`
      CREATE TABLE ops.outbox (
        id bigserial PRIMARY KEY,
        topic varchar(128) NOT NULL,          -- logical topic id from the TOPICS registry (e.g. accounts.events)
        message_key text NOT NULL,
        value jsonb NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text NULL
      )`);
    this.addSql(`CREATE INDEX ix_outbox_pending ON ops.outbox (id) WHERE published_at IS NULL`);

    for (const source of ['airbnb', 'hostaway']) {
      this.addSql(`
        CREATE TABLE ${source}.raw_responses (
          request_key text NOT NULL,
          fetched_at timestamptz NOT NULL,
          account_id varchar(32) NOT NULL,
          job_id uuid NULL,
          operation varchar(64) NOT NULL,
          resource_id text NULL,
          scrape_date date NOT NULL,
          window_start date NULL,
          window_end date NULL,
          http_status integer NOT NULL,
          variables jsonb NOT NULL DEFAULT '{}'::jsonb,
          body jsonb NULL,
          envelope_version integer NOT NULL DEFAULT 1,
          parser_version integer NULL,
          parsed_at timestamptz NULL,
          stored_at timestamptz NOT NULL DEFAULT now(),
          CONSTRAINT uq_${source}_raw_responses_request UNIQUE (request_key, fetched_at)
        )`);
      this.addSql(
        `CREATE INDEX ix_${source}_raw_responses_account ON ${source}.raw_responses (account_id, fetched_at DESC)`,
      );
      this.addSql(
        `CREATE INDEX ix_${source}_raw_responses_job ON ${source}.raw_responses (job_id) WHERE job_id IS NOT NULL`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS hostaway.raw_responses`);
    this.addSql(`DROP TABLE IF EXISTS airbnb.raw_responses`);
    this.addSql(`DROP TABLE IF EXISTS ops.outbox`);
    this.addSql(`DROP TABLE IF EXISTS ops.replays`);
    this.addSql(`DROP TABLE IF EXISTS ops.sync_jobs`);
    this.addSql(`DROP TABLE IF EXISTS hostaway.accounts`);
    this.addSql(`DROP TABLE IF EXISTS airbnb.accounts`);
    this.addSql(`DROP SCHEMA IF EXISTS ops`);
    this.addSql(`DROP SCHEMA IF EXISTS hostaway`);
    this.addSql(`DROP SCHEMA IF EXISTS airbnb`);
  }
}
