/**
 * The echo source's schema, as a source migration would create it: the store every source has
 * (`accounts` with the shared account columns, `raw_responses`, `response_parses`) and its one table.
 */
export const ECHO_SCHEMA_SQL = `
  CREATE SCHEMA echo;
  CREATE TABLE echo.accounts (
    account_id varchar(32) PRIMARY KEY,
    customer_id uuid NULL,
    api_token text NOT NULL,
    credentials_updated_at timestamptz NOT NULL DEFAULT now(),
    is_active boolean NOT NULL DEFAULT true,
    status varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth', 'paused', 'blocked')),
    status_reason text NULL,
    blocked_until timestamptz NULL,
    last_sync_at timestamptz NULL,
    sync_cron varchar(128) NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz NULL
  );
  CREATE TABLE echo.raw_responses (
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
    CONSTRAINT uq_echo_raw_responses_request UNIQUE (request_key, fetched_at)
  );
  CREATE TABLE echo.response_parses (
    request_key text NOT NULL,
    fetched_at timestamptz NOT NULL,
    account_id varchar(32) NOT NULL,
    parser_version integer NOT NULL,
    parsed_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT pk_echo_response_parses PRIMARY KEY (request_key, fetched_at)
  );
  CREATE TABLE echo.items (
    account_id varchar(32) NOT NULL,
    id text NOT NULL,
    title text NOT NULL,
    raw_payload jsonb NOT NULL,
    observed_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id)
  );
`;
