import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Pool, PoolClient } from 'pg';
import type { AdminConfig } from '@staysync/config';
import { withRetries, type AccountRow, type RetryPolicy } from '@staysync/core';
import type { CredentialCipher } from '@staysync/crypto';
import { PG_POOL } from '@staysync/db';
import {
  createHostawayClient,
  hostawayCredentialColumns,
  hostawayAdminConfigOf,
  HostawayTokenProvider,
  mintedTokenUpdate,
  normalizeBaseUrl,
  NotFoundError,
  readHostawayCredentials,
  sharedIpRateLimit,
  toDate,
  withTokenRefresh,
  type HostawayClient,
  type HostawayIpRateLimit,
  type UnifiedWebhookSpec,
} from '@staysync/source-hostaway';
import { ADMIN_CONFIG } from '../admin-config';
import { CREDENTIAL_CIPHER } from '../tokens';
import { hostawayWebhookUrl, planWebhook, type WebhookAction } from './hostaway-webhook-plan';

/** What one reconciliation did. */
export type WebhookOutcome =
  | {
      accountId: string;
      result: 'unchanged' | 'registered' | 'adopted' | 'updated' | 'removed' | 'unconfigured';
    }
  | { accountId: string; result: 'failed'; error: string };

// two-key advisory locks (class, hashtext(account id)): one reconciliation per account at a time
const WEBHOOK_LOCK_CLASS = 0x5354_5748; // "STWH"
const RETRY: RetryPolicy = { maxAttempts: 3, baseMs: 1_000, capMs: 10_000 };
/** a removal that failed (deleted accounts have no syncs to retry after) is tried again this much later */
const REMOVAL_RETRY = '1 hour';
const BATCH = 100;

/**
 * Accounts whose webhook needs a look (`$1` the webhook URL or null, `$2` one account or null):
 * - active ones once their first full sync succeeded: `pending` (new, or changed through the API),
 *   credentials changed since the last look, a successful sync finished since the last look (a failed
 *   or impossible registration is retried then; a registered one is checked with one GET), or a
 *   registration to another URL or with older credentials;
 * - inactive or deleted ones still holding a webhook id: remove it (a failed removal waits an hour).
 */
const DUE_SQL = `
  SELECT a.account_id::text AS account_id FROM hostaway.accounts a
   WHERE ($2::text IS NULL OR a.account_id::text = $2)
     AND CASE WHEN a.deleted_at IS NULL AND a.is_active THEN
           (a.webhook_registered_at IS NOT NULL OR EXISTS (
              SELECT 1 FROM ops.sync_jobs j WHERE j.source = 'hostaway' AND j.account_id = a.account_id::text
                 AND j.status = 'succeeded' AND j.mode = 'full'))
           AND (a.webhook_status = 'pending'
                OR a.webhook_checked_at IS NULL
                OR a.webhook_credentials_updated_at > a.webhook_checked_at
                OR EXISTS (
                   SELECT 1 FROM ops.sync_jobs j WHERE j.source = 'hostaway' AND j.account_id = a.account_id::text
                      AND j.status = 'succeeded' AND j.finished_at > a.webhook_checked_at)
                OR (a.webhook_status = 'registered'
                    AND (a.webhook_registered_credentials_at IS DISTINCT FROM a.webhook_credentials_updated_at
                         OR ($1::text IS NOT NULL AND a.webhook_url IS DISTINCT FROM $1::text))))
         ELSE a.webhook_id IS NOT NULL
              AND (a.webhook_status <> 'failed' OR a.webhook_checked_at < now() - interval '${REMOVAL_RETRY}')
         END
   ORDER BY a.account_id
   LIMIT ${BATCH}`;

/**
 * Registers each Hostaway account's unified webhook upstream (reference §4) and keeps it in step:
 * one registration per account (the id is stored, reused and updated with PUT, never registered
 * twice), removed when the account is deactivated or deleted.
 *
 * Admin learns that a sync succeeded from the database (`ops.sync_jobs`, which fetcher and loader
 * finish): a poll every HOSTAWAY_WEBHOOK_POLL_MS, and a nudge after API changes, picks the accounts due
 * (DUE_SQL). Upstream calls use the fetcher's Hostaway client and token flow (stored token, mint
 * once, 403 → one refresh, minted tokens stored). A failure never touches the sync: it is recorded on
 * the account (`webhook_status` failed, `webhook_error`) and retried after the account's next successful
 * sync. Passwords are decrypted only for the call; errors have them redacted.
 */
@Injectable()
export class HostawayWebhookRegistrar implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly url: string | null;
  /** the process's Hostaway IP budget: shared with the fetcher's jobs when both run in one process */
  private readonly rateLimit: HostawayIpRateLimit;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private nudged = false;
  private stopped = true;

  constructor(
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('HostawayWebhookRegistrar');
    this.url = hostawayWebhookUrl(config.publicBaseUrl);
    const hostaway = hostawayAdminConfigOf(config);
    this.rateLimit = sharedIpRateLimit(normalizeBaseUrl(hostaway.baseUrl), {
      ipRate: hostaway.ipRate,
      windowMs: hostaway.rateWindowMs,
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // a PUBLIC_BASE_URL set since: what could not be registered is tried again
    if (this.url !== null) {
      await this.pool
        .query(
          `UPDATE hostaway.accounts SET webhook_status = 'pending' WHERE webhook_status = 'unconfigured'`,
        )
        .catch((error: unknown) =>
          this.logger.warn(
            { err: error },
            'could not mark unconfigured webhooks pending; they are tried after their next sync',
          ),
        );
    }
    this.stopped = false;
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Ask for a pass soon (after an API change), instead of waiting for the next poll. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) this.nudged = true;
    else this.schedule(0);
  }

  /** Reconciles every account due now; returns what was done. */
  async pass(): Promise<WebhookOutcome[]> {
    const outcomes: WebhookOutcome[] = [];
    for (;;) {
      const { rows } = await this.pool.query<{ account_id: string }>(DUE_SQL, [this.url, null]);
      const fresh = rows.filter((r) => !outcomes.some((o) => o.accountId === r.account_id));
      for (const { account_id } of fresh) {
        const outcome = await this.reconcile(account_id);
        if (outcome) outcomes.push(outcome);
      }
      if (rows.length < BATCH || fresh.length === 0) return outcomes;
    }
  }

  /**
   * One account, under its lock, if still due (another replica may just have done it); null when not.
   * Never throws for upstream failures: they are recorded on the account.
   */
  async reconcile(accountId: string): Promise<WebhookOutcome | null> {
    return this.locked(accountId, async (db) => {
      const { rows: due } = await db.query(DUE_SQL, [this.url, accountId]);
      if (due.length === 0) return null;
      return this.apply(db, accountId);
    });
  }

  /**
   * A hard delete removes the webhook before the account's row (and with it the client secret the
   * removal needs) is deleted. The account is already marked deleted, so nothing registers it again.
   * Best effort: the delete goes on when Hostaway cannot be reached (logged with the webhook id).
   */
  async removeBeforeHardDelete(accountId: string): Promise<WebhookOutcome> {
    return this.locked(accountId, (db) => this.apply(db, accountId));
  }

  private async apply(db: PoolClient, accountId: string): Promise<WebhookOutcome> {
    const { rows } = await db.query<AccountRow & { read_at: Date }>(
      `SELECT a.*, now() AS read_at FROM hostaway.accounts a WHERE a.account_id::text = $1`,
      [accountId],
    );
    const row = rows[0];
    if (!row) return { accountId, result: 'unchanged' };
    const state = webhookState(row);
    const action = planWebhook(state, this.url);
    // the look starts when the row was read: a sync finishing after that gets its own look
    const checkedAt = row.read_at;
    if (action.kind === 'none') {
      await db.query(
        `UPDATE hostaway.accounts SET webhook_status = $2, webhook_error = NULL, webhook_checked_at = $3 WHERE account_id::text = $1`,
        [
          accountId,
          state.webhookId === null ? (state.wanted ? 'pending' : 'removed') : 'registered',
          checkedAt,
        ],
      );
      return { accountId, result: 'unchanged' };
    }
    if (action.kind === 'unconfigured') {
      await this.record(db, accountId, {
        webhook_status: 'unconfigured',
        webhook_error: action.reason,
        webhook_checked_at: checkedAt,
      });
      this.logger.warn({ accountId, reason: action.reason }, 'Hostaway webhook not registered');
      return { accountId, result: 'unconfigured' };
    }
    try {
      const result = await this.upstream(db, row, action);
      if (result.kind === 'unchanged') {
        await this.record(db, accountId, {
          webhook_status: 'registered',
          webhook_error: null,
          webhook_checked_at: checkedAt,
        });
        return { accountId, result: result.kind };
      }
      if (action.kind === 'remove') {
        await this.record(db, accountId, {
          webhook_id: null,
          webhook_url: null,
          webhook_registered_credentials_at: null,
          webhook_status: 'removed',
          webhook_error: null,
          webhook_checked_at: checkedAt,
        });
      } else {
        await this.record(db, accountId, {
          webhook_id: result.id,
          webhook_url: action.url,
          webhook_registered_credentials_at: state.webhookCredentialsUpdatedAt,
          webhook_status: 'registered',
          webhook_error: null,
          webhook_checked_at: checkedAt,
          webhook_registered_at: new Date(),
        });
      }
      this.logger.info(
        {
          accountId,
          webhookId: result.id,
          result: result.kind,
          url: action.kind === 'remove' ? undefined : action.url,
        },
        'Hostaway webhook reconciled',
      );
      return { accountId, result: result.kind };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.record(db, accountId, {
        webhook_status: 'failed',
        webhook_error: message.slice(0, 1000),
        webhook_checked_at: checkedAt,
      });
      this.logger.warn(
        {
          accountId,
          webhookId: state.webhookId,
          action: action.kind,
          err: { name: (error as Error)?.name, message },
        },
        'Hostaway webhook call failed; recorded on the account',
      );
      return { accountId, result: 'failed', error: message };
    }
  }

  /** The upstream calls of one action, with the account's token. */
  private async upstream(
    db: PoolClient,
    row: AccountRow,
    action: Exclude<WebhookAction, { kind: 'none' | 'unconfigured' }>,
  ) {
    const credentials = readHostawayCredentials(row, (sealed) => this.cipher.decrypt(sealed));
    const hostaway = hostawayAdminConfigOf(this.config);
    const client = createHostawayClient({ baseUrl: hostaway.baseUrl, timeoutMs: hostaway.timeoutMs });
    // every call, the token mint too, within the IP and account limits (one at a time per account)
    const limiter = this.rateLimit.forAccount({ accountRate: hostaway.accountRate, concurrency: 1 });
    const tokens = new HostawayTokenProvider({
      clientId: credentials.accountId,
      clientSecret: credentials.clientSecret,
      stored: credentials.accessToken
        ? {
            accessToken: credentials.accessToken,
            issuedAt: credentials.accessTokenIssuedAt,
            expiresAt: credentials.accessTokenExpiresAt,
          }
        : null,
      mint: (id, secret) => withRetries(() => limiter.schedule(() => client.mintToken(id, secret)), RETRY),
      persist: async (token) => {
        await this.record(
          db,
          credentials.accountId,
          hostawayCredentialColumns(mintedTokenUpdate(token), (plain) => this.cipher.encrypt(plain)),
        );
      },
    });
    const call = <T>(send: (token: string) => Promise<T>) =>
      withRetries(() => withTokenRefresh(tokens, (token) => limiter.schedule(() => send(token))), RETRY);
    try {
      if (action.kind === 'remove') {
        await call((token) => client.deleteWebhook(action.id, token)).catch((error: unknown) => {
          if (!(error instanceof NotFoundError)) throw error; // already gone upstream
        });
        return { kind: 'removed' as const, id: action.id };
      }
      const spec: UnifiedWebhookSpec = {
        url: action.url,
        login: String(row.webhook_login),
        password: this.cipher.decrypt(String(row.webhook_password)),
      };
      if (action.kind === 'verify') {
        try {
          const upstream = await call((token) => client.getWebhook(action.id, token));
          if (upstream.isEnabled && upstream.url === spec.url && upstream.login === spec.login)
            return { kind: 'unchanged' as const, id: action.id };
          return {
            kind: 'updated' as const,
            id: (await call((token) => client.updateWebhook(action.id, spec, token))).id,
          };
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error; // deleted upstream: register again
        }
      }
      if (action.kind === 'update') {
        try {
          return {
            kind: 'updated' as const,
            id: (await call((token) => client.updateWebhook(action.id, spec, token))).id,
          };
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error; // deleted upstream (by hand, or disabled): register again
        }
      }
      return await this.register(client, call, spec);
    } finally {
      client.close();
    }
  }

  /**
   * Registers, unless Hostaway already has webhooks at our URL (a registration whose id was never
   * stored, or duplicates from before ids were kept): the first is adopted and updated, the others
   * deleted, so the account ends with exactly one.
   */
  private async register(
    client: HostawayClient,
    call: <T>(send: (token: string) => Promise<T>) => Promise<T>,
    spec: UnifiedWebhookSpec,
  ) {
    const ours = (await call((token) => client.listWebhooks(token))).filter((w) => w.url === spec.url);
    if (ours.length === 0)
      return {
        kind: 'registered' as const,
        id: (await call((token) => client.createWebhook(spec, token))).id,
      };
    const [kept, ...duplicates] = ours;
    for (const duplicate of duplicates) await call((token) => client.deleteWebhook(duplicate.id, token));
    return {
      kind: 'adopted' as const,
      id: (await call((token) => client.updateWebhook(kept.id, spec, token))).id,
    };
  }

  private async record(db: PoolClient, accountId: string, columns: Record<string, unknown>): Promise<void> {
    const names = Object.keys(columns);
    if (names.length === 0) return;
    await db.query(
      `UPDATE hostaway.accounts SET ${names.map((n, i) => `${n} = $${i + 2}`).join(', ')} WHERE account_id::text = $1`,
      [accountId, ...names.map((n) => columns[n])],
    );
  }

  private async locked<T>(accountId: string, work: (db: PoolClient) => Promise<T>): Promise<T> {
    const db = await this.pool.connect();
    try {
      await db.query('SELECT pg_advisory_lock($1, hashtext($2))', [WEBHOOK_LOCK_CLASS, accountId]);
      try {
        return await work(db);
      } finally {
        await db.query('SELECT pg_advisory_unlock($1, hashtext($2))', [WEBHOOK_LOCK_CLASS, accountId]);
      }
    } finally {
      db.release();
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.pass()
        .catch((error: unknown) =>
          this.logger.error({ err: error }, 'Hostaway webhook pass failed; the next poll tries again'),
        )
        .finally(() => {
          this.running = null;
          const again = this.nudged;
          this.nudged = false;
          this.schedule(again ? 0 : hostawayAdminConfigOf(this.config).webhookPollMs);
        });
    }, delayMs);
  }
}

function webhookState(row: AccountRow) {
  return {
    wanted: row.deleted_at === null && row.is_active === true,
    hasCredentials: typeof row.webhook_login === 'string' && typeof row.webhook_password === 'string',
    webhookId: typeof row.webhook_id === 'number' ? row.webhook_id : null,
    webhookUrl: typeof row.webhook_url === 'string' ? row.webhook_url : null,
    webhookCredentialsUpdatedAt: toDate(row.webhook_credentials_updated_at),
    webhookRegisteredCredentialsAt: toDate(row.webhook_registered_credentials_at),
  };
}
