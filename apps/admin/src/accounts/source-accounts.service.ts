import { Inject } from '@nestjs/common';
import type { EntityClass } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AccountStatus, TableSpec } from '@staysync/core';
import type { SyncMode } from '@staysync/db';
import { ProblemException } from '../http/problem.filter';
import { normalizeCron } from '../scheduler/cron-expression';
import { SyncScheduler } from '../scheduler/sync-scheduler.service';
import type { SyncJobsService } from '../jobs/sync-jobs.service';
import { AccountHardDeleteService } from './account-hard-delete.service';
import { recordAccountEvent, type AccountEventType, type AccountSnapshot } from './account-events';

/** The columns every `<source>.accounts` entity shares (see libs/db entities). */
export interface SourceAccount {
  accountId: string;
  customerId: string | null;
  isActive: boolean;
  status: AccountStatus;
  statusReason: string | null;
  lastSyncAt: Date | null;
  credentialsUpdatedAt: Date;
  deletedAt: Date | null;
  /** overrides SYNC_CRON */
  syncCron: string | null;
}

export interface AccountPage<A> {
  items: A[];
  nextCursor: string | null;
}

/**
 * What account endpoints of every source do alike: cursor pages, lookups, soft/hard delete with the
 * account event in the same transaction, and sync requests. A source's service adds how its
 * credentials are created and changed.
 */
export abstract class SourceAccountsService<A extends SourceAccount> {
  // a property, so the sources' constructors need not pass it along
  @Inject(AccountHardDeleteService) private readonly hardDeletes!: AccountHardDeleteService;
  @Inject(SyncScheduler) private readonly scheduler!: SyncScheduler;

  protected constructor(
    protected readonly em: EntityManager,
    protected readonly jobs: SyncJobsService,
    readonly source: string,
    private readonly entity: EntityClass<A>,
    /** the source's loader tables, emptied of the account's rows by a hard delete */
    private readonly dataTables: readonly TableSpec[],
  ) {}

  /** the mode of a sync requested without one */
  protected abstract defaultSyncMode(account: A): SyncMode;

  snapshot(account: A): AccountSnapshot {
    const { accountId, customerId, isActive, status, lastSyncAt, credentialsUpdatedAt, deletedAt } = account;
    return {
      source: this.source,
      accountId: String(accountId),
      customerId,
      isActive,
      status,
      lastSyncAt,
      credentialsUpdatedAt,
      deletedAt,
    };
  }

  async list(options: { activeOnly: boolean; limit: number; cursor?: string }): Promise<AccountPage<A>> {
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const where = {
      deletedAt: null,
      ...(options.activeOnly ? { isActive: true } : {}),
      ...(after ? { accountId: { $gt: after } } : {}),
    };
    const items = await this.em.find(this.entity, where as never, {
      orderBy: { accountId: 'asc' } as never,
      limit: options.limit + 1,
    });
    const page = items.slice(0, options.limit);
    return {
      items: page,
      nextCursor: items.length > options.limit ? encodeCursor(String(page[page.length - 1].accountId)) : null,
    };
  }

  async get(accountId: string, em: EntityManager = this.em): Promise<A> {
    const account = await em.findOne(this.entity, { accountId, deletedAt: null } as never);
    if (!account) throw this.notFound(accountId);
    return account;
  }

  /**
   * Soft delete hides the account and stops its syncs; hard delete removes it and all of its data,
   * tombstones its raw-topic records and makes loaders, replays and fetchers refuse it from then on
   * (AccountHardDeleteService).
   */
  async delete(accountId: string, hard: boolean): Promise<void> {
    if (hard) {
      const report = await this.hardDeletes.hardDelete(this.source, accountId, this.dataTables, () =>
        this.beforeHardDeleteRows(accountId),
      );
      if (!report) throw this.notFound(accountId);
    } else {
      await this.em.transactional(async (tx) => {
        const account = await tx.findOne(this.entity, { accountId, deletedAt: null } as never);
        if (!account) throw this.notFound(accountId);
        account.deletedAt = new Date();
        account.isActive = false;
        recordAccountEvent(tx, 'deleted', this.snapshot(account), ['deleted_at', 'is_active']);
        await tx.flush();
      });
    }
    this.afterDelete(accountId);
  }

  /** hook for caches keyed by account */
  protected afterDelete(_accountId: string): void {}

  /** hook run by a hard delete once the account is marked deleted, before its rows go (its credentials still readable) */
  protected async beforeHardDeleteRows(_accountId: string): Promise<void> {}

  /** After a committed create or change: a new or changed `sync_cron` gets its cron in this replica now (others within a minute). */
  protected accountsChanged(changed: readonly string[]): void {
    if (changed.includes('sync_cron')) this.scheduler.refreshSoon();
  }

  async requestSync(accountId: string, mode?: SyncMode) {
    const account = await this.get(accountId);
    if (!account.isActive)
      throw new ProblemException(409, 'Conflict', `${this.source} account ${accountId} is inactive`);
    if (account.status === 'needs_reauth')
      throw new ProblemException(
        409,
        'Conflict',
        `${this.source} account ${accountId} needs new credentials (status needs_reauth)`,
      );
    return this.jobs.requestSync({
      source: this.source,
      accountId: String(accountId),
      mode: mode ?? this.defaultSyncMode(account),
      trigger: 'manual',
    });
  }

  protected notFound(accountId: string): ProblemException {
    return new ProblemException(404, 'Not Found', `${this.source} account ${accountId} does not exist`);
  }

  /** Applies `customer_id`, `is_active`, `status` and `sync_cron` changes; returns the changed field names. */
  protected applyCommonChanges(
    account: A,
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

  /** Upserting a soft-deleted account restores it: returns the event type the change is published as. */
  protected restoreIfDeleted(account: A, changed: string[]): AccountEventType {
    if (!account.deletedAt) return 'updated';
    account.deletedAt = null;
    account.isActive = true;
    changed.push('deleted_at', 'is_active');
    return 'reactivated';
  }

  /** Publishes a PATCH's changes (if any) as updated / reactivated / deactivated. */
  protected recordPatch(tx: EntityManager, account: A, wasActive: boolean, changed: string[]): void {
    if (changed.length === 0) return;
    const type: AccountEventType =
      wasActive === account.isActive ? 'updated' : account.isActive ? 'reactivated' : 'deactivated';
    recordAccountEvent(tx, type, this.snapshot(account), changed);
  }

  /** New credentials lift a `needs_reauth`. */
  protected credentialsRenewed(account: A, changed: string[]): void {
    account.credentialsUpdatedAt = new Date();
    changed.push('credentials');
    if (account.status === 'needs_reauth') {
      account.status = 'active';
      account.statusReason = null;
      changed.push('status');
    }
  }
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
