import { Migration } from '@mikro-orm/migrations';

/**
 * Hostaway loader tables (columns mirror libs/sources/hostaway/src/tables.ts). Each row keeps the upstream
 * entity as received (`raw_payload`) plus the columns people filter on. Upserts change a row only when the
 * payload differs and the observation (`observed_at`: fetched or received) is not older than the stored one,
 * so an identical re-sync touches nothing and `updated_at` means "content changed".
 *
 * Messages are one row per message (not one thread per reservation): a thread spanning several pages or
 * arriving message by message through webhooks is then an idempotent upsert with no read-modify-write.
 * `hostaway.message_threads` rebuilds the per-reservation thread in send order.
 *
 * No foreign keys between them or to accounts: webhooks arrive out of order (a message before its
 * reservation) and must not wedge the loader; hard-deleting an account deletes its rows explicitly.
 */
export class Migration20261122000004_hostaway_resources extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE hostaway.listings (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        name text NULL,
        city text NULL,
        country_code text NULL,
        currency_code text NULL,
        time_zone text NULL,
        latest_activity_on timestamptz NULL,
        raw_payload jsonb NOT NULL,
        observed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE INDEX ix_hostaway_listings_account ON hostaway.listings (account_id)`);

    this.addSql(`
      CREATE TABLE hostaway.reservations (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        listing_id bigint NULL,
        channel_id bigint NULL,
        channel_name text NULL,
        status text NULL,
        arrival_date date NULL,
        departure_date date NULL,
        cancelled_at timestamptz NULL,
        upstream_updated_at timestamptz NULL,
        raw_payload jsonb NOT NULL,
        observed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE INDEX ix_hostaway_reservations_account ON hostaway.reservations (account_id)`);
    this.addSql(
      `CREATE INDEX ix_hostaway_reservations_listing_arrival ON hostaway.reservations (listing_id, arrival_date)`,
    );

    this.addSql(`
      CREATE TABLE hostaway.messages (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        conversation_id bigint NULL,
        reservation_id bigint NULL,
        listing_id bigint NULL,
        sent_at timestamptz NOT NULL,
        is_incoming boolean NULL,
        status text NULL,
        raw_payload jsonb NOT NULL,
        observed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    this.addSql(`CREATE INDEX ix_hostaway_messages_account ON hostaway.messages (account_id)`);
    this.addSql(
      `CREATE INDEX ix_hostaway_messages_reservation_sent ON hostaway.messages (reservation_id, sent_at, id)`,
    );

    this.addSql(`
      CREATE VIEW hostaway.message_threads AS
      SELECT reservation_id,
             account_id,
             jsonb_agg(
               jsonb_build_object(
                 'id', id, 'sent_at', sent_at,
                 'sender', CASE WHEN is_incoming THEN 'them' ELSE 'us' END,
                 'body', raw_payload->'body', 'conversation_id', conversation_id, 'listing_id', listing_id)
               ORDER BY sent_at, id) AS raw_messages,
             max(updated_at) AS updated_at
        FROM hostaway.messages
       WHERE reservation_id IS NOT NULL
       GROUP BY reservation_id, account_id`);
  }

  override async down(): Promise<void> {
    this.addSql(`DROP VIEW IF EXISTS hostaway.message_threads`);
    this.addSql(`DROP TABLE IF EXISTS hostaway.messages`);
    this.addSql(`DROP TABLE IF EXISTS hostaway.reservations`);
    this.addSql(`DROP TABLE IF EXISTS hostaway.listings`);
  }
}
