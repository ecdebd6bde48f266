import type { ColumnSpec, TableSpec } from '@staysync/core';

/**
 * Loader tables of the `hostaway` schema, the source of truth for its migration.
 *
 * All three are keyed by the Hostaway id and upserted `if-changed` on `raw_payload`, guarded by
 * `observed_at` (when the payload was fetched or the webhook received), so replays and duplicate
 * webhooks are no-ops and a late, older observation never overwrites a newer one. `account_id` always
 * comes from the envelope, never from the payload (listings and reservations have none).
 * `created_at`/`updated_at` are the database's (defaults and the upsert), never emitted by the parser.
 *
 * Unlike the reference schema, messages are one row per message (not one thread per reservation),
 * keeping Hostaway's message id for dedupe, and carry no FK to reservations: webhooks may deliver a
 * message before its reservation.
 */
export const HOSTAWAY_TABLES = {
  listings: 'hostaway.listings',
  reservations: 'hostaway.reservations',
  messages: 'hostaway.messages',
} as const;

export type HostawayTableName = (typeof HOSTAWAY_TABLES)[keyof typeof HOSTAWAY_TABLES];

const col = (name: string, type: string): ColumnSpec => ({ name, type });

/**
 * Rows built from a webhook carry `partial: true`: webhook payloads lack fields the polled payload has
 * (reference §7), so such a row updates only the columns whose fields it carries and its payload is
 * merged onto the stored one (newer wins per top-level field). The stored `raw_payload` is therefore the
 * last poll's payload with every later webhook's fields laid over it; the next poll replaces it whole.
 */
export const PARTIAL_ROW_FLAG = 'partial';

const IF_CHANGED = {
  mode: 'if-changed',
  changeColumn: 'raw_payload',
  versionColumn: 'observed_at',
  partialFlag: PARTIAL_ROW_FLAG,
} as const;

export const listingsTable: TableSpec = {
  table: HOSTAWAY_TABLES.listings,
  columns: [
    col('id', 'int8'),
    col('account_id', 'int8'),
    col('name', 'text'),
    col('city', 'text'),
    col('country_code', 'text'),
    col('currency_code', 'text'),
    col('time_zone', 'text'),
    col('latest_activity_on', 'timestamptz'),
    col('raw_payload', 'jsonb'),
    col('observed_at', 'timestamptz'),
  ],
  conflictKey: ['id'],
  ...IF_CHANGED,
  order: 1,
};

/**
 * Reservations carry upstream's own version, `updatedOn`: a webhook delivered late (or again) after a poll
 * saw a newer state must not bring the old one back, whatever order the loader sees them in. Payloads
 * without `updatedOn` (some webhook shapes) cannot be ordered and apply when they differ.
 */
export const reservationsTable: TableSpec = {
  table: HOSTAWAY_TABLES.reservations,
  columns: [
    col('id', 'int8'),
    col('account_id', 'int8'),
    col('listing_id', 'int8'),
    col('channel_id', 'int8'),
    col('channel_name', 'text'),
    col('status', 'text'),
    col('arrival_date', 'date'),
    col('departure_date', 'date'),
    col('cancelled_at', 'timestamptz'),
    col('upstream_updated_at', 'timestamptz'),
    col('raw_payload', 'jsonb'),
    col('observed_at', 'timestamptz'),
  ],
  conflictKey: ['id'],
  ...IF_CHANGED,
  versionColumn: 'upstream_updated_at',
  order: 2,
};

export const messagesTable: TableSpec = {
  table: HOSTAWAY_TABLES.messages,
  columns: [
    col('id', 'int8'),
    col('account_id', 'int8'),
    col('conversation_id', 'int8'),
    col('reservation_id', 'int8'),
    col('listing_id', 'int8'),
    col('sent_at', 'timestamptz'),
    col('is_incoming', 'bool'),
    col('status', 'text'),
    col('raw_payload', 'jsonb'),
    col('observed_at', 'timestamptz'),
  ],
  conflictKey: ['id'],
  ...IF_CHANGED,
  order: 3,
};

export const hostawayTables: TableSpec[] = [listingsTable, reservationsTable, messagesTable];
