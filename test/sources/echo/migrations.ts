import { Migration } from '@mikro-orm/migrations';
import type { SourceMigration } from '@staysync/core';
import { sourceStoreSql } from '@staysync/db';

/**
 * The echo source's schema, declared like a real source's: the store every source has (sourceStoreSql:
 * accounts with the shared columns, raw_responses, response_parses), its credential column and its one
 * table.
 */
class Migration20261206000001_echo_store extends Migration {
  override up(): void {
    for (const statement of sourceStoreSql('echo')) this.addSql(statement);
    this.addSql(`ALTER TABLE echo.accounts ADD COLUMN api_token text NOT NULL`);
    this.addSql(`CREATE TABLE echo.items (
      account_id varchar(32) NOT NULL,
      id text NOT NULL,
      title text NOT NULL,
      raw_payload jsonb NOT NULL,
      observed_at timestamptz NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (account_id, id)
    )`);
  }

  override down(): void {
    this.addSql(`DROP SCHEMA echo CASCADE`);
  }
}

export const ECHO_MIGRATIONS: readonly SourceMigration[] = [
  { name: 'Migration20261206000001_echo_store', class: Migration20261206000001_echo_store },
];
