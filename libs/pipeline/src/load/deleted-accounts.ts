import type { ClientBase } from 'pg';
import type { RawEnvelope, Row } from '@staysync/core';
import type { ParsedSourceBatch } from './load-envelopes';

export interface RefusedAccounts {
  /** the batch without the envelopes and rows of hard-deleted accounts (the input itself when none) */
  kept: ParsedSourceBatch;
  /** envelopes of hard-deleted accounts, the unparsed ones included */
  envelopes: RawEnvelope[];
}

/**
 * The account-refusal step of every write (loader and replay): one query per source batch, in the
 * write's transaction and before anything else. `ops.refuse_deleted_accounts` takes a shared lock per
 * account that a hard delete takes exclusively while it records the account in `ops.deleted_accounts`,
 * so a write either commits before the delete goes on (and the delete removes its rows) or sees the
 * account as deleted and writes nothing of it.
 */
export async function refuseDeletedAccounts(
  client: ClientBase,
  batch: ParsedSourceBatch,
): Promise<RefusedAccounts> {
  const accountIds = [...new Set([...batch.envelopes, ...batch.unparsed].map((e) => String(e.accountId)))];
  const { rows } = await client.query<{ account_id: string }>(
    `SELECT account_id FROM ops.refuse_deleted_accounts($1, $2::text[]) AS account_id`,
    [batch.plugin.name, accountIds],
  );
  if (rows.length === 0) return { kept: batch, envelopes: [] };
  const deleted = new Set(rows.map((r) => r.account_id));
  const ofDeleted = (accountId: unknown) => deleted.has(String(accountId));
  const rowsByTable = new Map<string, Row[]>();
  for (const [table, tableRows] of batch.rowsByTable)
    rowsByTable.set(
      table,
      tableRows.filter((row) => !ofDeleted(row.account_id)),
    );
  return {
    kept: {
      ...batch,
      envelopes: batch.envelopes.filter((e) => !ofDeleted(e.accountId)),
      rowsByTable,
      unparsed: batch.unparsed.filter((e) => !ofDeleted(e.accountId)),
    },
    envelopes: [...batch.envelopes, ...batch.unparsed].filter((e) => ofDeleted(e.accountId)),
  };
}
