import { sourceStoreSql } from '@staysync/db';

/**
 * The echo source's schema, as its migration would create it: the store every source has
 * (sourceStoreSql: accounts with the shared columns, raw_responses, response_parses), its credential
 * column and its one table.
 */
export const ECHO_SCHEMA_SQL = [
  ...sourceStoreSql('echo'),
  `ALTER TABLE echo.accounts ADD COLUMN api_token text NOT NULL`,
  `CREATE TABLE echo.items (
    account_id varchar(32) NOT NULL,
    id text NOT NULL,
    title text NOT NULL,
    raw_payload jsonb NOT NULL,
    observed_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, id)
  )`,
].join(';\n');
