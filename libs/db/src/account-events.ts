import { randomUUID } from 'node:crypto';
import type { ClientBase } from 'pg';
import type { AccountStatus } from '@staysync/core';

export type AccountEventType =
  'created' | 'updated' | 'deactivated' | 'reactivated' | 'deleted' | 'needs_reauth';

export interface AccountSnapshot {
  source: string;
  accountId: string;
  customerId: string | null;
  isActive: boolean;
  status: AccountStatus;
  lastSyncAt: Date | null;
  credentialsUpdatedAt: Date | null;
  deletedAt: Date | null;
}

/** The `accounts.events.v1` value: the account's public state, never a secret. */
export function accountEvent(type: AccountEventType, account: AccountSnapshot, changedFields: string[]) {
  return {
    schemaVersion: 1 as const,
    eventId: randomUUID(),
    type,
    source: account.source,
    accountId: account.accountId,
    customerId: account.customerId,
    occurredAt: new Date().toISOString(),
    changedFields,
    account: {
      isActive: account.isActive,
      status: account.status,
      lastSyncAt: account.lastSyncAt?.toISOString() ?? null,
      credentialsSet: true,
      credentialsUpdatedAt: account.credentialsUpdatedAt?.toISOString() ?? null,
      deletedAt: account.deletedAt?.toISOString() ?? null,
    },
  };
}

/** Outbox row for an account event: written in the caller's transaction, published by the admin relay. */
export function accountEventOutbox(
  type: AccountEventType,
  account: AccountSnapshot,
  changedFields: string[],
) {
  return {
    topic: 'accounts.events',
    key: `${account.source}:${account.accountId}`,
    value: accountEvent(type, account, changedFields),
  };
}

/**
 * Marks an account needs_reauth and queues its event, in one transaction on `client`
 * (the fetcher calls this when upstream rejects the credentials).
 */
export async function markNeedsReauth(
  client: ClientBase,
  source: string,
  accountId: string,
  reason: string,
): Promise<void> {
  const { rows } = await client.query<Record<string, never>>(
    `UPDATE ${source}.accounts SET status = 'needs_reauth', status_reason = $2, updated_at = now()
     WHERE account_id::text = $1 AND status <> 'needs_reauth'
     RETURNING ${SNAPSHOT_COLUMNS}`,
    [accountId, reason.slice(0, 500)],
  );
  if (rows.length > 0)
    await queueAccountEvent(client, 'needs_reauth', source, accountId, rows[0], ['status']);
}

/**
 * Marks an account `blocked` until now + coolDownMs (the upstream's edge refuses it; its credentials may
 * be fine) and queues an `updated` event, in one transaction on `client`. A needs_reauth account stays so.
 */
export async function markBlocked(
  client: ClientBase,
  source: string,
  accountId: string,
  reason: string,
  coolDownMs: number,
): Promise<void> {
  const { rows } = await client.query<Record<string, never>>(
    `UPDATE ${source}.accounts
        SET status = 'blocked', status_reason = $2, blocked_until = now() + make_interval(secs => $3::float8 / 1000), updated_at = now()
      WHERE account_id::text = $1 AND status <> 'needs_reauth'
      RETURNING ${SNAPSHOT_COLUMNS}`,
    [accountId, reason.slice(0, 500), coolDownMs],
  );
  if (rows.length > 0)
    await queueAccountEvent(client, 'updated', source, accountId, rows[0], ['status', 'blocked_until']);
}

const SNAPSHOT_COLUMNS =
  'account_id::text, customer_id, is_active, status, last_sync_at, credentials_updated_at, deleted_at';

async function queueAccountEvent(
  client: ClientBase,
  type: AccountEventType,
  source: string,
  accountId: string,
  row: Record<string, never>,
  changed: string[],
): Promise<void> {
  const event = accountEventOutbox(
    type,
    {
      source,
      accountId,
      customerId: row.customer_id,
      isActive: row.is_active,
      status: row.status,
      lastSyncAt: row.last_sync_at,
      credentialsUpdatedAt: row.credentials_updated_at,
      deletedAt: row.deleted_at,
    },
    changed,
  );
  await client.query(`INSERT INTO ops.outbox (topic, message_key, value) VALUES ($1, $2, $3)`, [
    event.topic,
    event.key,
    JSON.stringify(event.value),
  ]);
}
