import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { EntityClass } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AdminConfig } from '@staysync/config';
import type {
  AccountActionContext,
  AccountCredentials,
  SourceAccount,
  SourceAccounts,
  SourcePlugin,
} from '@staysync/core';
import type { CredentialCipher } from '@staysync/crypto';
import type { SyncMode } from '@staysync/db';
import { SOURCES } from '@staysync/sources';
import { ADMIN_CONFIG } from '../admin-config';
import { ProblemException } from '../http/problem.filter';
import { SyncJobsService } from '../jobs/sync-jobs.service';
import { normalizeCron } from '../scheduler/cron-expression';
import { SyncScheduler } from '../scheduler/sync-scheduler.service';
import { CREDENTIAL_CIPHER } from '../tokens';
import { AccountHardDeleteService } from './account-hard-delete.service';
import { recordAccountEvent, type AccountEventType, type AccountSnapshot } from './account-events';
import { ACCOUNT_LISTENERS, type AccountListener } from './account-listeners';
import type { SharedPatchFields, SharedUpsertFields } from './account-requests';

export interface AccountPage {
  items: SourceAccount[];
  nextCursor: string | null;
}

/** A source whose accounts admin serves: its plug-in, account hook and the credentials built for this app. */
interface AccountSource {
  plugin: SourcePlugin;
  accounts: SourceAccounts;
  entity: EntityClass<SourceAccount>;
  credentials: AccountCredentials;
  listeners: AccountListener[];
}

/** The registered sources that declare accounts (`SourcePlugin.accounts`), in registry order. */
export function accountSources(): Array<SourcePlugin & { accounts: SourceAccounts }> {
  return SOURCES.filter((source): source is SourcePlugin & { accounts: SourceAccounts } =>
    Boolean(source.accounts),
  );
}

/**
 * The accounts of every source that declares them (`/api/v1/<source>/accounts`): create-or-update and
 * PATCH with the account event in the same transaction, cursor pages, lookups, soft/hard delete, sync
 * requests. What differs per source — entity, credentials, checks, view — comes from its hook.
 */
@Injectable()
export class AccountsService implements OnModuleDestroy {
  private readonly sources = new Map<string, AccountSource>();

  constructor(
    private readonly em: EntityManager,
    private readonly jobs: SyncJobsService,
    private readonly hardDeletes: AccountHardDeleteService,
    private readonly scheduler: SyncScheduler,
    @Inject(CREDENTIAL_CIPHER) cipher: CredentialCipher,
    @Inject(ADMIN_CONFIG) config: AdminConfig,
    @Inject(ACCOUNT_LISTENERS) listeners: readonly AccountListener[],
  ) {
    for (const plugin of accountSources()) {
      const credentials = plugin.accounts.credentials({
        config: config.sources[plugin.name],
        seal: (plain) => cipher.encrypt(plain),
        unseal: (sealed) => cipher.decrypt(sealed),
      });
      this.sources.set(plugin.name, {
        plugin,
        accounts: plugin.accounts,
        entity: plugin.accounts.entity,
        credentials,
        listeners: listeners.filter((listener) => listener.source === plugin.name),
      });
    }
  }

  onModuleDestroy(): void {
    for (const { credentials } of this.sources.values()) credentials.close?.();
  }

  /** Create-or-update; a soft-deleted account is restored. A new account gets its first sync queued at once. */
  async upsert(
    source: string,
    body: SharedUpsertFields,
    query: object,
  ): Promise<{ account: SourceAccount; created: boolean }> {
    const { entity, credentials, accounts } = this.source(source);
    const accountId = credentials.accountIdOf(body);
    await credentials.verify?.({ body, query, accountId });
    const result = await this.em.transactional(async (tx) => {
      const existing = await tx.findOne(entity, { accountId });
      if (!existing) {
        const account = tx.create(entity, {
          accountId,
          customerId: body.customer_id ?? null,
          syncCron: body.sync_cron ? normalizeCron(body.sync_cron) : null,
          ...credentials.create(body),
        } as never);
        recordAccountEvent(tx, 'created', this.snapshot(source, account), [
          'account_id',
          'customer_id',
          'credentials',
        ]);
        this.jobs.queueJob(tx, { source, accountId, mode: accounts.firstSyncMode, trigger: 'startup' });
        await tx.flush();
        return { account, created: true, changed: account.syncCron ? ['sync_cron'] : [] };
      }
      const changed = [
        ...credentials.apply(existing, body, { credentialsRenewed: (c) => credentialsRenewed(existing, c) }),
        ...applySharedChanges(existing, { customerId: body.customer_id, syncCron: body.sync_cron }),
      ];
      const type = restoreIfDeleted(existing, changed);
      credentials.settle?.(existing, changed);
      if (changed.length > 0) recordAccountEvent(tx, type, this.snapshot(source, existing), changed);
      await tx.flush();
      return { account: existing, created: false, changed };
    });
    this.changed(source, accountId, result.changed);
    return { account: result.account, created: result.created };
  }

  async patch(
    source: string,
    accountId: string,
    body: SharedPatchFields,
    query: object,
  ): Promise<SourceAccount> {
    const { credentials } = this.source(source);
    await credentials.verify?.({ body, query, accountId, stored: () => this.get(source, accountId) });
    const result = await this.em.transactional(async (tx) => {
      const account = await this.get(source, accountId, tx);
      const wasActive = account.isActive;
      const changed = [
        ...credentials.apply(account, body, { credentialsRenewed: (c) => credentialsRenewed(account, c) }),
        ...applySharedChanges(account, {
          customerId: body.customer_id,
          isActive: body.is_active,
          status: body.status,
          syncCron: body.sync_cron,
        }),
      ];
      credentials.settle?.(account, changed);
      if (changed.length > 0) {
        const type: AccountEventType =
          wasActive === account.isActive ? 'updated' : account.isActive ? 'reactivated' : 'deactivated';
        recordAccountEvent(tx, type, this.snapshot(source, account), changed);
      }
      await tx.flush();
      return { account, changed };
    });
    this.changed(source, accountId, result.changed);
    return result.account;
  }

  async list(
    source: string,
    options: { activeOnly: boolean; limit: number; cursor?: string },
  ): Promise<AccountPage> {
    const { entity } = this.source(source);
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const where = {
      deletedAt: null,
      ...(options.activeOnly ? { isActive: true } : {}),
      ...(after ? { accountId: { $gt: after } } : {}),
    };
    const items = await this.em.find(entity, where, {
      orderBy: { accountId: 'asc' } as never,
      limit: options.limit + 1,
    });
    const page = items.slice(0, options.limit);
    return {
      items: page,
      nextCursor: items.length > options.limit ? encodeCursor(String(page[page.length - 1].accountId)) : null,
    };
  }

  async get(source: string, accountId: string, em: EntityManager = this.em): Promise<SourceAccount> {
    const account = await em.findOne(this.source(source).entity, { accountId, deletedAt: null });
    if (!account) throw notFound(source, accountId);
    return account;
  }

  /**
   * Soft delete hides the account and stops its syncs; hard delete removes it and all of its data,
   * tombstones its raw-topic records and makes loaders, replays and fetchers refuse it from then on
   * (AccountHardDeleteService).
   */
  async delete(source: string, accountId: string, hard: boolean): Promise<void> {
    const { plugin, entity, listeners } = this.source(source);
    if (hard) {
      const report = await this.hardDeletes.hardDelete(source, accountId, plugin.tables, async () => {
        for (const listener of listeners) await listener.beforeHardDelete?.(accountId);
      });
      if (!report) throw notFound(source, accountId);
    } else {
      await this.em.transactional(async (tx) => {
        const account = await tx.findOne(entity, { accountId, deletedAt: null });
        if (!account) throw notFound(source, accountId);
        account.deletedAt = new Date();
        account.isActive = false;
        recordAccountEvent(tx, 'deleted', this.snapshot(source, account), ['deleted_at', 'is_active']);
        await tx.flush();
      });
    }
    for (const listener of listeners) listener.deleted?.(accountId);
  }

  /** A sync requested without a mode is the source's first sync until one succeeded, then incremental. */
  async requestSync(source: string, accountId: string, mode?: SyncMode) {
    const { accounts } = this.source(source);
    const account = await this.get(source, accountId);
    if (!account.isActive)
      throw new ProblemException(409, 'Conflict', `${source} account ${accountId} is inactive`);
    if (account.status === 'needs_reauth')
      throw new ProblemException(
        409,
        'Conflict',
        `${source} account ${accountId} needs new credentials (status needs_reauth)`,
      );
    return this.jobs.requestSync({
      source,
      accountId: String(accountId),
      mode: mode ?? (account.lastSyncAt ? 'incremental' : accounts.firstSyncMode),
      trigger: 'manual',
    });
  }

  /** Runs one of the source's own routes (`SourceAccounts.actions`) on an account. */
  async runAction(source: string, path: string, accountId: string): Promise<object> {
    const { accounts, credentials } = this.source(source);
    const action = accounts.actions?.find((candidate) => candidate.path === path);
    if (!action) throw new Error(`${source} accounts have no action ${path}`);
    const context: AccountActionContext<SourceAccount> = {
      get: (id) => this.get(source, id),
      change: (id, change) =>
        this.em.transactional(async (tx) => {
          const account = await this.get(source, id, tx);
          const event = change(account);
          if (event) recordAccountEvent(tx, event.event, this.snapshot(source, account), event.changed);
          await tx.flush();
          return account;
        }),
      view: (account) => accounts.view(account),
    };
    return action.run(accountId, context, credentials);
  }

  /** The account as the API shows it (the source's view). */
  view(source: string, account: SourceAccount): object {
    return this.source(source).accounts.view(account);
  }

  private snapshot(source: string, account: SourceAccount): AccountSnapshot {
    const { accountId, customerId, isActive, status, lastSyncAt, credentialsUpdatedAt, deletedAt } = account;
    return {
      source,
      accountId: String(accountId),
      customerId,
      isActive,
      status,
      lastSyncAt,
      credentialsUpdatedAt,
      deletedAt,
    };
  }

  /** After a committed create or change: a new or changed `sync_cron` gets its cron in this replica now (others within a minute). */
  private changed(source: string, accountId: string, changed: readonly string[]): void {
    if (changed.includes('sync_cron')) this.scheduler.refreshSoon();
    for (const listener of this.source(source).listeners) listener.changed?.(accountId, changed);
  }

  private source(name: string): AccountSource {
    const source = this.sources.get(name);
    if (!source) throw new Error(`source ${name} declares no accounts`);
    return source;
  }
}

function notFound(source: string, accountId: string): ProblemException {
  return new ProblemException(404, 'Not Found', `${source} account ${accountId} does not exist`);
}

/** Applies `customer_id`, `is_active`, `status` and `sync_cron` changes; returns the changed field names. */
function applySharedChanges(
  account: SourceAccount,
  next: {
    customerId?: string | null;
    isActive?: boolean;
    status?: 'active' | 'paused';
    syncCron?: string | null;
  },
): string[] {
  const changed: string[] = [];
  const syncCron =
    next.syncCron === undefined || next.syncCron === null ? next.syncCron : normalizeCron(next.syncCron);
  if (syncCron !== undefined && syncCron !== account.syncCron) {
    account.syncCron = syncCron;
    changed.push('sync_cron');
  }
  if (next.customerId !== undefined && next.customerId !== account.customerId) {
    account.customerId = next.customerId;
    changed.push('customer_id');
  }
  if (next.isActive !== undefined && next.isActive !== account.isActive) {
    account.isActive = next.isActive;
    changed.push('is_active');
  }
  if (next.status !== undefined && next.status !== account.status) {
    account.status = next.status;
    account.statusReason = null;
    changed.push('status');
  }
  return changed;
}

/** New credentials are stamped, and lift a `needs_reauth`. */
function credentialsRenewed(account: SourceAccount, changed: string[]): void {
  account.credentialsUpdatedAt = new Date();
  changed.push('credentials');
  if (account.status === 'needs_reauth') {
    account.status = 'active';
    account.statusReason = null;
    changed.push('status');
  }
}

/** Upserting a soft-deleted account restores it: returns the event type the change is published as. */
function restoreIfDeleted(account: SourceAccount, changed: string[]): AccountEventType {
  if (!account.deletedAt) return 'updated';
  account.deletedAt = null;
  account.isActive = true;
  changed.push('deleted_at', 'is_active');
  return 'reactivated';
}

function encodeCursor(accountId: string): string {
  return Buffer.from(JSON.stringify({ after: accountId })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const { after } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof after === 'string' && /^[0-9]+$/.test(after)) return after;
  } catch {
    // fall through
  }
  throw new ProblemException(400, 'Bad Request', 'cursor is not valid', [
    { field: 'cursor', message: 'not a cursor returned by this API' },
  ]);
}
