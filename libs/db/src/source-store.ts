import { hypertableSql } from './timescale';

/**
 * What the core needs of every source's schema, as a new source's migration creates it (the existing
 * sources got the same shape through the migrations since foundation; test/db/source-store.test.ts keeps
 * the two equal):
 * - `accounts`: the columns the core reads and writes (status, schedule, lease-free bookkeeping, soft
 *   delete); the source adds its credential columns after it;
 * - `raw_responses`: every raw response (a hypertable on `fetched_at` with TimescaleDB) and
 *   `response_parses` / `response_parser_versions`: the parser version behind each response's rows.
 * `source` is a registered source's name (a schema name: checkSources allows [a-z][a-z0-9_]*).
 */
export function sourceStoreSql(
  source: string,
  options: { accountIdType?: 'varchar(32)' | 'bigint' } = {},
): string[] {
  const accountId = options.accountIdType ?? 'varchar(32)';
  return [
    `CREATE SCHEMA IF NOT EXISTS ${source}`,
    `CREATE TABLE ${source}.accounts (
      account_id ${accountId} PRIMARY KEY,
      customer_id uuid NULL,
      credentials_updated_at timestamptz NOT NULL DEFAULT now(),
      is_active boolean NOT NULL DEFAULT true,
      status varchar(16) NOT NULL DEFAULT 'active',
      status_reason text NULL,
      last_sync_at timestamptz NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz NULL,
      blocked_until timestamptz NULL,
      sync_cron varchar(128) NULL,
      CONSTRAINT accounts_status_check CHECK (status IN ('active', 'needs_reauth', 'paused', 'blocked'))
    )`,
    `CREATE INDEX ix_${source}_accounts_customer_id ON ${source}.accounts (customer_id)`,
    `CREATE INDEX ix_${source}_accounts_is_active ON ${source}.accounts (is_active)`,
    `CREATE INDEX ix_${source}_accounts_deleted_at ON ${source}.accounts (deleted_at)`,
    `CREATE TABLE ${source}.raw_responses (
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
    )`,
    `CREATE INDEX ix_${source}_raw_responses_account ON ${source}.raw_responses (account_id, fetched_at DESC)`,
    `CREATE INDEX ix_${source}_raw_responses_job ON ${source}.raw_responses (job_id) WHERE job_id IS NOT NULL`,
    `CREATE INDEX ix_${source}_raw_responses_unparsed ON ${source}.raw_responses (fetched_at) WHERE parser_version IS NULL`,
    hypertableSql({
      table: `${source}.raw_responses`,
      timeColumn: 'fetched_at',
      chunkInterval: '7 days',
      segmentBy: 'account_id',
      orderBy: 'fetched_at DESC',
      compressAfter: '7 days',
    }),
    `CREATE TABLE ${source}.response_parses (
      request_key text NOT NULL,
      fetched_at timestamptz NOT NULL,
      account_id varchar(32) NOT NULL,
      parser_version integer NOT NULL,
      parsed_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT pk_${source}_response_parses PRIMARY KEY (request_key, fetched_at)
    )`,
    `CREATE INDEX ix_${source}_response_parses_account ON ${source}.response_parses (account_id)`,
    `CREATE VIEW ${source}.response_parser_versions AS
      SELECT r.request_key, r.fetched_at, r.account_id,
             COALESCE(p.parser_version, r.parser_version) AS parser_version,
             COALESCE(p.parsed_at, r.parsed_at) AS parsed_at
        FROM ${source}.raw_responses r
        LEFT JOIN ${source}.response_parses p ON p.request_key = r.request_key AND p.fetched_at = r.fetched_at`,
  ];
}
