import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 13: an account can be `blocked` (the upstream's edge refuses it; its credentials may be fine)
 * until `blocked_until`, when the scheduler syncs it again; and a job keeps a machine-readable
 * `error_code` (needs_reauth, blocked, stale_persisted_query, …) beside its error text. Both account
 * tables get the column so every source shares one scheduling rule.
 */
export class Migration20261204000013_airbnb_session_states extends Migration {
  override async up(): Promise<void> {
    for (const table of ['airbnb.accounts', 'hostaway.accounts']) {
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS accounts_status_check`);
      this.addSql(
        `ALTER TABLE ${table} ADD CONSTRAINT accounts_status_check CHECK (status IN ('active', 'needs_reauth', 'paused', 'blocked'))`,
      );
      this.addSql(`ALTER TABLE ${table} ADD COLUMN blocked_until timestamptz NULL`);
    }
    this.addSql(`ALTER TABLE ops.sync_jobs ADD COLUMN error_code varchar(32) NULL`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE ops.sync_jobs DROP COLUMN IF EXISTS error_code`);
    for (const table of ['airbnb.accounts', 'hostaway.accounts']) {
      // a blocked account is simply active again (it was only waiting for its cool-down)
      this.addSql(`UPDATE ${table} SET status = 'active' WHERE status = 'blocked'`);
      this.addSql(`ALTER TABLE ${table} DROP COLUMN IF EXISTS blocked_until`);
      this.addSql(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS accounts_status_check`);
      this.addSql(
        `ALTER TABLE ${table} ADD CONSTRAINT accounts_status_check CHECK (status IN ('active', 'needs_reauth', 'paused'))`,
      );
    }
  }
}
