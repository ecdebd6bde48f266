import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { AdminConfig } from '@staysync/config';
import type { CredentialCipher } from '@staysync/crypto';
import { AirbnbAccount } from '@staysync/db';
import {
  accountIdFromCookie,
  airbnbAdminConfigOf,
  airbnbSource,
  filterAuthCookies,
} from '@staysync/source-airbnb';
import { ADMIN_CONFIG } from '../admin-config';
import { ProblemException } from '../http/problem.filter';
import { SyncJobsService } from '../jobs/sync-jobs.service';
import { CREDENTIAL_CIPHER } from '../tokens';
import { recordAccountEvent } from './account-events';
import { AirbnbCredentialCheck, type AirbnbCredentialsToCheck } from './airbnb-credential-check';
import type { PatchAirbnbAccountDto, UpsertAirbnbAccountDto } from './dto/airbnb-account.dto';
import { normalizeCron } from '../scheduler/cron-expression';
import { SourceAccountsService } from './source-accounts.service';

/** What `POST /accounts/{id}/validate` found. */
export interface AirbnbValidation {
  account: AirbnbAccount;
  preflight: { state: 'live' | 'dead' | 'blocked'; signal: string | null; message: string | null };
}

@Injectable()
export class AirbnbAccountsService extends SourceAccountsService<AirbnbAccount> implements OnModuleDestroy {
  private readonly credentialCheck: AirbnbCredentialCheck;
  /** AIRBNB_CREDENTIAL_CHECK=false: credentials are stored unchecked, as with ?validate=false */
  private readonly checkByDefault: boolean;

  constructor(
    em: EntityManager,
    jobs: SyncJobsService,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    @Inject(ADMIN_CONFIG) config: AdminConfig,
  ) {
    super(em, jobs, 'airbnb', AirbnbAccount, airbnbSource.tables);
    const airbnb = airbnbAdminConfigOf(config);
    this.credentialCheck = new AirbnbCredentialCheck(airbnb);
    this.checkByDefault = airbnb.credentialCheck;
  }

  onModuleDestroy(): void {
    this.credentialCheck.close();
  }

  protected defaultSyncMode(account: AirbnbAccount) {
    return account.lastSyncAt ? ('incremental' as const) : ('backfill' as const);
  }

  /** Create-or-update; a soft-deleted account is restored. A new account gets its backfill queued at once. */
  async upsert(
    dto: UpsertAirbnbAccountDto,
    options: { validate?: boolean } = {},
  ): Promise<{ account: AirbnbAccount; created: boolean }> {
    const accountId = this.resolveAccountId(dto);
    const cookie = this.authCookies(dto.cookie);
    if (options.validate ?? this.checkByDefault)
      await this.credentialCheck.assertLive({
        cookie,
        userAgent: dto.user_agent,
        clientVersion: dto.x_client_version,
      });
    const result = await this.em.transactional(async (tx) => {
      const existing = await tx.findOne(AirbnbAccount, { accountId }, { lockMode: undefined });
      if (!existing) {
        const account = tx.create(AirbnbAccount, {
          accountId,
          customerId: dto.customer_id ?? null,
          cookieCiphertext: this.cipher.encrypt(cookie),
          xClientVersion: dto.x_client_version,
          userAgent: dto.user_agent,
          syncCron: dto.sync_cron ? normalizeCron(dto.sync_cron) : null,
        } as never);
        recordAccountEvent(tx, 'created', this.snapshot(account), [
          'account_id',
          'customer_id',
          'credentials',
        ]);
        this.jobs.queueJob(tx, { source: this.source, accountId, mode: 'backfill', trigger: 'startup' });
        await tx.flush();
        return { account, created: true, changed: account.syncCron ? ['sync_cron'] : [] };
      }
      const changed = this.applyChanges(existing, {
        cookie,
        xClientVersion: dto.x_client_version,
        userAgent: dto.user_agent,
        customerId: dto.customer_id,
        syncCron: dto.sync_cron,
      });
      const type = this.restoreIfDeleted(existing, changed);
      if (changed.length > 0) recordAccountEvent(tx, type, this.snapshot(existing), changed);
      await tx.flush();
      return { account: existing, created: false, changed };
    });
    this.accountsChanged(result.changed);
    return { account: result.account, created: result.created };
  }

  async patch(
    accountId: string,
    dto: PatchAirbnbAccountDto,
    options: { validate?: boolean } = {},
  ): Promise<AirbnbAccount> {
    const newCredentials =
      dto.cookie !== undefined || dto.user_agent !== undefined || dto.x_client_version !== undefined;
    if ((options.validate ?? this.checkByDefault) && newCredentials) {
      const stored = await this.get(accountId);
      await this.credentialCheck.assertLive({
        cookie:
          dto.cookie === undefined
            ? this.cipher.decrypt(stored.cookieCiphertext)
            : this.authCookies(dto.cookie, accountId),
        userAgent: dto.user_agent ?? stored.userAgent,
        clientVersion: dto.x_client_version ?? stored.xClientVersion,
      });
    }
    const result = await this.em.transactional(async (tx) => {
      const account = await this.get(accountId, tx);
      const wasActive = account.isActive;
      const changed = [
        ...this.applyChanges(account, {
          cookie: dto.cookie === undefined ? undefined : this.authCookies(dto.cookie, accountId),
          xClientVersion: dto.x_client_version,
          userAgent: dto.user_agent,
          customerId: dto.customer_id,
        }),
        ...this.applyCommonChanges(account, {
          isActive: dto.is_active,
          status: dto.status,
          syncCron: dto.sync_cron,
        }),
      ];
      this.recordPatch(tx, account, wasActive, changed);
      await tx.flush();
      return { account, changed };
    });
    this.accountsChanged(result.changed);
    return result.account;
  }

  /**
   * Re-checks the stored credentials with the preflight: live lifts needs_reauth or blocked, dead marks
   * the account needs_reauth (with its event), an edge block changes nothing (the check itself was blocked).
   */
  async validate(accountId: string): Promise<AirbnbValidation> {
    const stored = await this.get(accountId);
    const credentials: AirbnbCredentialsToCheck = {
      cookie: this.cipher.decrypt(stored.cookieCiphertext),
      userAgent: stored.userAgent,
      clientVersion: stored.xClientVersion,
    };
    const verdict = await this.credentialCheck.check(credentials);
    const account = await this.em.transactional(async (tx) => {
      const account = await this.get(accountId, tx);
      if (verdict.state === 'live' && (account.status === 'needs_reauth' || account.status === 'blocked')) {
        account.status = 'active';
        account.statusReason = null;
        account.blockedUntil = null;
        recordAccountEvent(tx, 'updated', this.snapshot(account), ['status']);
      } else if (verdict.state === 'dead' && account.status !== 'needs_reauth') {
        account.status = 'needs_reauth';
        account.statusReason = `credential check: ${verdict.message} (${verdict.signal})`;
        recordAccountEvent(tx, 'needs_reauth', this.snapshot(account), ['status']);
      }
      await tx.flush();
      return account;
    });
    return {
      account,
      preflight: {
        state: verdict.state,
        signal: verdict.state === 'dead' ? verdict.signal : null,
        message: verdict.state === 'live' ? null : verdict.message,
      },
    };
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
      throw new ProblemException(
        400,
        'Bad Request',
        'account_id is missing and cannot be derived from the cookie (no _user_attributes with an id)',
        [{ field: 'account_id', message: 'required when the cookie has no _user_attributes' }],
      );
    }
    return accountId;
  }

  private authCookies(cookie: string, expectedAccountId?: string): string {
    const derived = accountIdFromCookie(cookie);
    if (expectedAccountId && derived && derived !== expectedAccountId) {
      throw new ProblemException(400, 'Bad Request', 'the cookie belongs to another Airbnb user', [
        { field: 'cookie', message: 'belongs to another user' },
      ]);
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
    next: {
      cookie?: string;
      xClientVersion?: string;
      userAgent?: string;
      customerId?: string | null;
      syncCron?: string | null;
    },
  ): string[] {
    const changed: string[] = [];
    if (next.cookie !== undefined && this.cipher.decrypt(account.cookieCiphertext) !== next.cookie) {
      account.cookieCiphertext = this.cipher.encrypt(next.cookie);
      this.credentialsRenewed(account, changed);
    }
    if (next.xClientVersion !== undefined && next.xClientVersion !== account.xClientVersion) {
      account.xClientVersion = next.xClientVersion;
      changed.push('x_client_version');
    }
    if (next.userAgent !== undefined && next.userAgent !== account.userAgent) {
      account.userAgent = next.userAgent;
      changed.push('user_agent');
    }
    return [
      ...changed,
      ...this.applyCommonChanges(account, { customerId: next.customerId, syncCron: next.syncCron }),
    ];
  }
}
