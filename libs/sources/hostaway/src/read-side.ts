import type { ReadTable, RetainedTable, SqlType, StateGauge } from '@staysync/core';
import { listingsTable, messagesTable, reservationsTable } from './tables';

const TYPES: Record<string, SqlType> = {
  id: 'bigint',
  account_id: 'bigint',
  listing_id: 'bigint',
  arrival_date: 'date',
  sent_at: 'timestamptz',
  status: 'text',
};

/** `GET /api/v1/hostaway/listings`, `…/reservations`, `…/messages` */
export const hostawayReadTables: readonly ReadTable[] = [
  {
    name: 'hostaway_listings',
    relation: listingsTable.table,
    columns: [
      'id',
      'account_id',
      'name',
      'city',
      'country_code',
      'currency_code',
      'time_zone',
      'latest_activity_on',
      'raw_payload',
      'observed_at',
      'created_at',
      'updated_at',
    ],
    types: TYPES,
    key: ['id'],
    account: 'account_id',
  },
  {
    name: 'hostaway_reservations',
    relation: reservationsTable.table,
    columns: [
      'id',
      'account_id',
      'listing_id',
      'channel_id',
      'channel_name',
      'status',
      'arrival_date',
      'departure_date',
      'cancelled_at',
      'upstream_updated_at',
      'raw_payload',
      'observed_at',
      'created_at',
      'updated_at',
    ],
    types: TYPES,
    key: ['id'],
    account: 'account_id',
    listing: 'listing_id',
    date: 'arrival_date',
    status: 'status',
  },
  {
    name: 'hostaway_messages',
    relation: messagesTable.table,
    columns: [
      'id',
      'account_id',
      'conversation_id',
      'reservation_id',
      'listing_id',
      'sent_at',
      'is_incoming',
      'status',
      'raw_payload',
      'observed_at',
      'created_at',
      'updated_at',
    ],
    types: TYPES,
    key: ['id'],
    account: 'account_id',
    date: 'sent_at',
    status: 'status',
  },
];

/** entities age by when they were last observed (`RETENTION_HOSTAWAY_DAYS`) */
export const hostawayRetention: readonly RetainedTable[] = [
  listingsTable,
  reservationsTable,
  messagesTable,
].map((spec) => ({ table: spec.table, setting: 'hostaway', timeColumn: 'observed_at' }));

export const hostawayStateGauges: readonly StateGauge[] = [
  {
    name: 'staysync_hostaway_webhooks',
    help: 'Active Hostaway accounts by webhook registration status (pending, registered, failed, removed, unconfigured)',
    labelNames: ['status'],
    sql: `SELECT webhook_status AS status, count(*)::int AS n FROM hostaway.accounts WHERE is_active AND deleted_at IS NULL GROUP BY webhook_status`,
  },
];
