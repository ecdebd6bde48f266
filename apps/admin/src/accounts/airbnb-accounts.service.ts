import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { CredentialCipher } from '@staysync/crypto';
import { AirbnbAccount, type SyncMode } from '@staysync/db';
import { accountIdFromCookie, airbnbSource, filterAuthCookies } from '@staysync/source-airbnb';
import { ProblemException } from '../http/problem.filter';
import { SyncJobsService } from '../jobs/sync-jobs.service';
import { CREDENTIAL_CIPHER } from '../tokens';
import { recordAccountEvent, type AccountEventType, type AccountSnapshot } from './account-events';
import type { PatchAirbnbAccountDto, UpsertAirbnbAccountDto } from './dto/airbnb-account.dto';

const SOURCE = 'airbnb';

const snapshot = (a: AirbnbAccount): AccountSnapshot => ({
  source: SOURCE,
  accountId: a.accountId,
  customerId: a.customerId,
  isActive: a.isActive,
  status: a.status,
  lastSyncAt: a.lastSyncAt,
  credentialsUpdatedAt: a.credentialsUpdatedAt,
  deletedAt: a.deletedAt,
});

export interface AccountPage {
  items: AirbnbAccount[];
  nextCursor: string | null;
}

@Injectable()
export class AirbnbAccountsService {
  constructor(
    private readonly em: EntityManager,
    private readonly jobs: SyncJobsService,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
  ) {}

  /** Create-or-update; a soft-deleted account is restored. A new account gets its backfill queued at once. */
  async upsert(dto: UpsertAirbnbAccountDto): Promise<{ account: AirbnbAccount; created: boolean }> {
    const accountId = this.resolveAccountId(dto);
    const cookie = this.authCookies(dto.cookie);
    return this.em.transactional(async (tx) => {
      const existing = await tx.findOne(AirbnbAccount, { accountId }, { lockMode: undefined });
      if (!existing) {
        const account = tx.create(AirbnbAccount, {
          accountId,
          customerId: dto.customer_id ?? null,
          cookieCiphertext: this.cipher.encrypt(cookie),
          xClientVersion: dto.x_client_version,
          userAgent: dto.user_agent,
        } as never);
        recordAccountEvent(tx, 'created', snapshot(account), ['account_id', 'customer_id', 'credentials']);
        this.jobs.queueJob(tx, { source: SOURCE, accountId, mode: 'backfill', trigger: 'startup' });
        await tx.flush();
        return { account, created: true };
      }
      const changed = this.applyChanges(existing, { cookie, xClientVersion: dto.x_client_version, userAgent: dto.user_agent, customerId: dto.customer_id });
      let type: AccountEventType = 'updated';
      if (existing.deletedAt) {
        existing.deletedAt = null;
        existing.isActive = true;
        changed.push('deleted_at', 'is_active');
        type = 'reactivated';
      }
      if (changed.length > 0) recordAccountEvent(tx, type, snapshot(existing), changed);
      await tx.flush();
      return { account: existing, created: false };
    });
  }

  async list(options: { activeOnly: boolean; limit: number; cursor?: string }): Promise<AccountPage> {
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const items = await this.em.find(
      AirbnbAccount,
      {
        deletedAt: null,
        ...(options.activeOnly ? { isActive: true } : {}),
        ...(after ? { accountId: { $gt: after } } : {}),
      },
      { orderBy: { accountId: 'asc' }, limit: options.limit + 1 },
    );
    const page = items.slice(0, options.limit);
    return { items: page, nextCursor: items.length > options.limit ? encodeCursor(page[page.length - 1].accountId) : null };
  }

  async get(accountId: string): Promise<AirbnbAccount> {
    const account = await this.em.findOne(AirbnbAccount, { accountId, deletedAt: null });
    if (!account) throw new ProblemException(404, 'Not Found', `airbnb account ${accountId} does not exist`);
    return account;
  }

  async patch(accountId: string, dto: PatchAirbnbAccountDto): Promise<AirbnbAccount> {
    return this.em.transactional(async (tx) => {
      const account = await tx.findOne(AirbnbAccount, { accountId, deletedAt: null });
      if (!account) throw new ProblemException(404, 'Not Found', `airbnb account ${accountId} does not exist`);
      const wasActive = account.isActive;
      const changed = this.applyChanges(account, {
        cookie: dto.cookie === undefined ? undefined : this.authCookies(dto.cookie, accountId),
        xClientVersion: dto.x_client_version,
        userAgent: dto.user_agent,
        customerId: dto.customer_id,
      });
      if (dto.is_active !== undefined && dto.is_active !== account.isActive) {
        account.isActive = dto.is_active;
        changed.push('is_active');
      }
      if (dto.status !== undefined && dto.status !== account.status) {
        account.status = dto.status;
        account.statusReason = null;
        changed.push('status');
      }
      if (changed.length > 0) {
        const type: AccountEventType = wasActive === account.isActive ? 'updated' : account.isActive ? 'reactivated' : 'deactivated';
        recordAccountEvent(tx, type, snapshot(account), changed);
      }
      await tx.flush();
      return account;
    });
  }

  /** Soft delete hides the account and stops its syncs; hard delete removes it and all of its data. */
  async delete(accountId: string, hard: boolean): Promise<void> {
    await this.em.transactional(async (tx) => {
      const account = await tx.findOne(AirbnbAccount, { accountId, ...(hard ? {} : { deletedAt: null }) });
      if (!account) throw new ProblemException(404, 'Not Found', `airbnb account ${accountId} does not exist`);
      account.deletedAt ??= new Date();
      account.isActive = false;
      recordAccountEvent(tx, 'deleted', snapshot(account), hard ? ['deleted_at', 'is_active', 'data'] : ['deleted_at', 'is_active']);
      if (hard) {
        const dataTables = [...airbnbSource.tables.map((t) => t.table), 'airbnb.raw_responses'];
        for (const table of dataTables) await tx.getConnection().execute(`DELETE FROM ${table} WHERE account_id = ?`, [accountId], 'run', tx.getTransactionContext());
        await tx.getConnection().execute(`DELETE FROM ops.sync_jobs WHERE source = ? AND account_id = ?`, [SOURCE, accountId], 'run', tx.getTransactionContext());
        tx.remove(account);
      }
      await tx.flush();
    });
  }

  async requestSync(accountId: string, mode?: SyncMode) {
    const account = await this.get(accountId);
    if (!account.isActive) throw new ProblemException(409, 'Conflict', `airbnb account ${accountId} is inactive`);
    if (account.status === 'needs_reauth') throw new ProblemException(409, 'Conflict', `airbnb account ${accountId} needs new credentials (status needs_reauth)`);
    return this.jobs.requestSync({ source: SOURCE, accountId, mode: mode ?? (account.lastSyncAt ? 'incremental' : 'backfill'), trigger: 'manual' });
  }

  private resolveAccountId(dto: UpsertAirbnbAccountDto): string {
    const derived = accountIdFromCookie(dto.cookie);
    if (dto.account_id && derived && dto.account_id !== derived) {
      throw new ProblemException(400, 'Bad Request', 'account_id does not match the user id in the cookie', [
        { field: 'account_id', message: 'does not match the cookie' },
      ]);
    }
    const accountId = dto.account_id ?? derived;
    if (!accountId) {
      throw new ProblemException(400, 'Bad Request', 'account_id is missing and cannot be derived from the cookie (no _user_attributes with an id)', [
        { field: 'account_id', message: 'required when the cookie has no _user_attributes' },
      ]);
    }
    return accountId;
  }

  private authCookies(cookie: string, expectedAccountId?: string): string {
    const derived = accountIdFromCookie(cookie);
    if (expectedAccountId && derived && derived !== expectedAccountId) {
      throw new ProblemException(400, 'Bad Request', 'the cookie belongs to another Airbnb user', [{ field: 'cookie', message: 'belongs to another user' }]);
    }
    const auth = filterAuthCookies(cookie);
    if (!auth) {
      throw new ProblemException(400, 'Bad Request', 'the cookie contains none of the Airbnb auth cookies', [
        { field: 'cookie', message: 'no auth cookies (_airbed_session_id, _aat, _user_attributes, …)' },
      ]);
    }
    return auth;
  }

  private applyChanges(
    account: AirbnbAccount,
    next: { cookie?: string; xClientVersion?: string; userAgent?: string; customerId?: string | null },
  ): string[] {
    const changed: string[] = [];
    if (next.cookie !== undefined && this.cipher.decrypt(account.cookieCiphertext) !== next.cookie) {
      account.cookieCiphertext = this.cipher.encrypt(next.cookie);
      account.credentialsUpdatedAt = new Date();
      changed.push('credentials');
      if (account.status === 'needs_reauth') {
        account.status = 'active';
        account.statusReason = null;
        changed.push('status');
      }
    }
    if (next.xClientVersion !== undefined && next.xClientVersion !== account.xClientVersion) {
      account.xClientVersion = next.xClientVersion;
      changed.push('x_client_version');
    }
    if (next.userAgent !== undefined && next.userAgent !== account.userAgent) {
      account.userAgent = next.userAgent;
      changed.push('user_agent');
    }
    if (next.customerId !== undefined && next.customerId !== account.customerId) {
      account.customerId = next.customerId;
      changed.push('customer_id');
    }
    return changed;
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
  throw new ProblemException(400, 'Bad Request', 'cursor is not valid', [{ field: 'cursor', message: 'not a cursor returned by this API' }]);
}
