import { Migration } from '@mikro-orm/migrations';

/**
 * Issue 15, items 1 and 2.
 *
 * Hostaway webhook registration: admin registers the account's unified webhook upstream with the
 * account's webhook login and password, so the password is now also kept encrypted (credentials
 * cipher; the scrypt hash stays for checking deliveries). What is registered upstream is recorded:
 * `webhook_id` (already there), the URL and the credentials version (`webhook_credentials_updated_at`
 * at registration) it carries, so a changed login/password or PUBLIC_BASE_URL is seen and PUT, never
 * registered twice. `webhook_status` (pending, registered, failed, removed, unconfigured) with the last
 * error and attempt time; `webhook_checked_at` also tells which successful sync was last looked at.
 *
 * Per-account schedule: `sync_cron` (both sources) overrides SYNC_CRON for that account.
 */
export class Migration20261205000016_webhook_registration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`ALTER TABLE hostaway.accounts
      ADD COLUMN webhook_password text NULL,
      ADD COLUMN webhook_credentials_updated_at timestamptz NULL,
      ADD COLUMN webhook_url text NULL,
      ADD COLUMN webhook_registered_credentials_at timestamptz NULL,
      ADD COLUMN webhook_status varchar(16) NOT NULL DEFAULT 'pending'
        CHECK (webhook_status IN ('pending', 'registered', 'failed', 'removed', 'unconfigured')),
      ADD COLUMN webhook_error text NULL,
      ADD COLUMN webhook_checked_at timestamptz NULL,
      ADD COLUMN webhook_registered_at timestamptz NULL`);
    // credentials stored before this migration have no clear password to register with
    this.addSql(
      `UPDATE hostaway.accounts SET webhook_credentials_updated_at = credentials_updated_at WHERE webhook_login IS NOT NULL`,
    );
    for (const table of ['airbnb.accounts', 'hostaway.accounts']) {
      this.addSql(`ALTER TABLE ${table} ADD COLUMN sync_cron varchar(128) NULL`);
    }
  }

  override async down(): Promise<void> {
    for (const table of ['airbnb.accounts', 'hostaway.accounts']) {
      this.addSql(`ALTER TABLE ${table} DROP COLUMN IF EXISTS sync_cron`);
    }
    this.addSql(`ALTER TABLE hostaway.accounts
      DROP COLUMN IF EXISTS webhook_password,
      DROP COLUMN IF EXISTS webhook_credentials_updated_at,
      DROP COLUMN IF EXISTS webhook_url,
      DROP COLUMN IF EXISTS webhook_registered_credentials_at,
      DROP COLUMN IF EXISTS webhook_status,
      DROP COLUMN IF EXISTS webhook_error,
      DROP COLUMN IF EXISTS webhook_checked_at,
      DROP COLUMN IF EXISTS webhook_registered_at`);
  }
}
