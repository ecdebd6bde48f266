import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { TableSpec } from '@staysync/core';
import { accountEventOutbox, inTransaction, PG_POOL } from '@staysync/db';
import { KAFKA_CLIENT, KAFKA_CONTEXT, type KafkaContext } from '@staysync/kafka';
import { RawTombstoneSender, type RawTombstone } from '@staysync/pipeline';
import { OutboxRelayService } from '../outbox/outbox-relay.service';

/** What a hard delete removed: rows per table and tombstones sent per raw topic. */
export interface HardDeleteReport {
  rows: Record<string, number>;
  tombstones: number;
}

interface AccountRow {
  account_id: string;
  customer_id: string | null;
  status: 'active' | 'needs_reauth' | 'paused';
  last_sync_at: Date | null;
  credentials_updated_at: Date | null;
  deleted_at: Date;
}

/**
 * Hard delete of one account, final:
 *
 * 1. the account is recorded in `ops.deleted_accounts` under an exclusive per-account lock, which
 *    waits for the loader and replay writes of the account already under way; every later write,
 *    and every fetcher claim, sees the record and refuses the account (see refuseDeletedAccounts);
 * 2. tombstones for every request key of the account in its raw store (and of its dead-lettered
 *    responses, to every partition) go to the raw topic, before those rows are deleted, so compaction
 *    drops the account's records; records the loader meets later are tombstoned by the loader;
 * 3. one transaction deletes every row of the account — the source's tables, raw store and parse
 *    ledger, jobs and their dead-lettered responses, replays, outbox rows — and the account, and
 *    queues the account-deleted event (the only outbox row of the account left).
 *
 * A failure in 2 or 3 leaves the account recorded as deleted (nothing more is loaded for it) and the
 * request can be repeated.
 */
@Injectable()
export class AccountHardDeleteService implements OnApplicationShutdown {
  private readonly tombstones: RawTombstoneSender;
  private readonly logger: Logger;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(KAFKA_CONTEXT) context: KafkaContext,
    private readonly outbox: OutboxRelayService,
  ) {
    this.tombstones = new RawTombstoneSender(kafka, context.settings);
    this.logger = context.logger.child({ component: 'hard-delete' });
  }

  /**
   * null when the account does not exist. `beforeRowsDeleted` runs once the account is recorded as
   * deleted, while its row (and credentials) still exist: the source's upstream clean-up.
   */
  async hardDelete(
    source: string,
    accountId: string,
    dataTables: readonly TableSpec[],
    beforeRowsDeleted?: () => Promise<void>,
  ): Promise<HardDeleteReport | null> {
    const found = await inTransaction(this.pool, (client) => this.recordDeleted(client, source, accountId));
    if (!found) return null;
    await beforeRowsDeleted?.();
    const tombstones = await this.tombstones.send(source, await this.knownRequestKeys(source, accountId));
    const rows = await inTransaction(this.pool, (client) =>
      this.deleteRows(client, source, accountId, dataTables),
    );
    this.outbox.relay.nudge();
    const report = { rows, tombstones };
    this.logger.info({ source, accountId, ...report }, 'account hard-deleted');
    return report;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tombstones.disconnect();
  }

  private async recordDeleted(client: PoolClient, source: string, accountId: string): Promise<boolean> {
    await client.query(`SELECT pg_advisory_xact_lock(ops.account_lock_key($1, $2))`, [source, accountId]);
    const { rowCount } = await client.query(
      `UPDATE ${source}.accounts SET deleted_at = COALESCE(deleted_at, now()), is_active = false, updated_at = now() WHERE account_id::text = $1`,
      [accountId],
    );
    if (rowCount === 0) return false;
    await client.query(
      `INSERT INTO ops.deleted_accounts (source, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [source, accountId],
    );
    return true;
  }

  private async knownRequestKeys(source: string, accountId: string): Promise<RawTombstone[]> {
    const stored = await this.pool.query<{ request_key: string; resource_id: string | null }>(
      `SELECT DISTINCT request_key, resource_id FROM ${source}.raw_responses WHERE account_id = $1`,
      [accountId],
    );
    // dead-lettered responses were never stored: their resource (hence partition) is unknown
    const deadLettered = await this.pool.query<{ request_key: string }>(
      `SELECT DISTINCT d.request_key FROM ops.dead_lettered_responses d JOIN ops.sync_jobs j ON j.id = d.job_id
        WHERE j.source = $1 AND j.account_id = $2`,
      [source, accountId],
    );
    const partitionKey = (resourceId: string | null) => `${source}:${accountId}:${resourceId ?? ''}`;
    return [
      ...stored.rows.map((r) => ({ key: r.request_key, partitionKey: partitionKey(r.resource_id) })),
      ...deadLettered.rows.map((r) => ({ key: r.request_key, partition: 'all' as const })),
    ];
  }

  private async deleteRows(
    client: PoolClient,
    source: string,
    accountId: string,
    dataTables: readonly TableSpec[],
  ): Promise<Record<string, number>> {
    const rows: Record<string, number> = {};
    const remove = async (table: string, where: string, params: unknown[]) => {
      const { rowCount } = await client.query(`DELETE FROM ${table} WHERE ${where}`, params);
      rows[table] = (rows[table] ?? 0) + (rowCount ?? 0);
    };
    const jobsOfAccount = `SELECT id FROM ops.sync_jobs WHERE source = $1 AND account_id = $2`;
    for (const table of [
      ...dataTables.map((t) => t.table),
      `${source}.raw_responses`,
      `${source}.response_parses`,
    ]) {
      await remove(table, `account_id::text = $1`, [accountId]);
    }
    await remove('ops.dead_lettered_responses', `job_id IN (${jobsOfAccount})`, [source, accountId]);
    await remove('ops.sync_jobs', `source = $1 AND account_id = $2`, [source, accountId]);
    await remove('ops.replays', `source = $1 AND account_id = $2`, [source, accountId]);
    // every message about the account, unsent (sync commands, account and job events) and sent
    await remove('ops.outbox', `message_key = $1 OR (value->>'source' = $2 AND value->>'accountId' = $3)`, [
      `${source}:${accountId}`,
      source,
      accountId,
    ]);
    const { rows: deleted } = await client.query<AccountRow>(
      `DELETE FROM ${source}.accounts WHERE account_id::text = $1
       RETURNING account_id::text, customer_id, status, last_sync_at, credentials_updated_at, deleted_at`,
      [accountId],
    );
    rows[`${source}.accounts`] = deleted.length;
    if (deleted.length === 1) await queueDeletedEvent(client, source, deleted[0]);
    return rows;
  }
}

async function queueDeletedEvent(client: PoolClient, source: string, row: AccountRow): Promise<void> {
  const { topic, key, value } = accountEventOutbox(
    'deleted',
    {
      source,
      accountId: row.account_id,
      customerId: row.customer_id,
      isActive: false,
      status: row.status,
      lastSyncAt: row.last_sync_at,
      credentialsUpdatedAt: row.credentials_updated_at,
      deletedAt: row.deleted_at,
    },
    ['deleted_at', 'is_active', 'data'],
  );
  await client.query(`INSERT INTO ops.outbox (topic, message_key, value) VALUES ($1, $2, $3)`, [
    topic,
    key,
    JSON.stringify(value),
  ]);
}
