import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { hashSecret, type CredentialCipher } from '@staysync/crypto';
import { HostawayAccount } from '@staysync/db';
import { hostawaySource } from '@staysync/source-hostaway';
import { SyncJobsService } from '../jobs/sync-jobs.service';
import { CREDENTIAL_CIPHER } from '../tokens';
import { HostawayWebhookCredentials } from '../webhooks/hostaway-webhook-credentials';
import { HostawayWebhookRegistrar } from '../webhooks/hostaway-webhook-registrar';
import { recordAccountEvent } from './account-events';
import type { PatchHostawayAccountDto, UpsertHostawayAccountDto } from './dto/hostaway-account.dto';
import { normalizeCron } from '../scheduler/cron-expression';
import { SourceAccountsService } from './source-accounts.service';

@Injectable()
export class HostawayAccountsService extends SourceAccountsService<HostawayAccount> {
  constructor(
    em: EntityManager,
    jobs: SyncJobsService,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    private readonly webhookCredentials: HostawayWebhookCredentials,
    private readonly webhooks: HostawayWebhookRegistrar,
  ) {
    super(em, jobs, 'hostaway', HostawayAccount, hostawaySource.tables);
  }

  protected defaultSyncMode(account: HostawayAccount) {
    return account.lastSyncAt ? ('incremental' as const) : ('full' as const);
  }

  /** Create-or-update; a soft-deleted account is restored. A new account gets its full sync queued at once. */
  async upsert(dto: UpsertHostawayAccountDto): Promise<{ account: HostawayAccount; created: boolean }> {
    const accountId = String(dto.account_id);
    const result = await this.em.transactional(async (tx) => {
      const existing = await tx.findOne(HostawayAccount, { accountId });
      if (!existing) {
        const account = tx.create(HostawayAccount, {
          accountId,
          customerId: dto.customer_id ?? null,
          clientSecret: this.cipher.encrypt(dto.client_secret),
          syncCron: dto.sync_cron ? normalizeCron(dto.sync_cron) : null,
          ...this.webhookColumns(dto),
        } as never);
        recordAccountEvent(tx, 'created', this.snapshot(account), [
          'account_id',
          'customer_id',
          'credentials',
        ]);
        this.jobs.queueJob(tx, { source: this.source, accountId, mode: 'full', trigger: 'startup' });
        await tx.flush();
        return { account, created: true, changed: account.syncCron ? ['sync_cron'] : [] };
      }
      const changed = this.applyChanges(existing, {
        clientSecret: dto.client_secret,
        customerId: dto.customer_id,
        webhookLogin: dto.webhook_login,
        webhookPassword: dto.webhook_password,
        syncCron: dto.sync_cron,
      });
      const type = this.restoreIfDeleted(existing, changed);
      this.webhookChanged(existing, changed);
      if (changed.length > 0) recordAccountEvent(tx, type, this.snapshot(existing), changed);
      await tx.flush();
      return { account: existing, created: false, changed };
    });
    this.afterChange(accountId, result.changed);
    return { account: result.account, created: result.created };
  }

  async patch(accountId: string, dto: PatchHostawayAccountDto): Promise<HostawayAccount> {
    const account = await this.em.transactional(async (tx) => {
      const account = await this.get(accountId, tx);
      const wasActive = account.isActive;
      const changed = [
        ...this.applyChanges(account, {
          clientSecret: dto.client_secret,
          customerId: dto.customer_id,
          webhookLogin: dto.webhook_login,
          webhookPassword: dto.webhook_password,
          syncCron: dto.sync_cron,
        }),
        ...this.applyCommonChanges(account, { isActive: dto.is_active, status: dto.status }),
      ];
      this.webhookChanged(account, changed);
      this.recordPatch(tx, account, wasActive, changed);
      await tx.flush();
      return { account, changed };
    });
    this.afterChange(accountId, account.changed);
    return account.account;
  }

  /** A soft-deleted account's webhook is removed upstream by the registrar (nudged here). */
  protected override afterDelete(accountId: string): void {
    this.webhookCredentials.evict(accountId);
    this.webhooks.nudge();
  }

  /** A hard delete removes the webhook upstream while the account's credentials still exist. */
  protected override async beforeHardDeleteRows(accountId: string): Promise<void> {
    await this.webhooks.removeBeforeHardDelete(accountId);
  }

  private afterChange(accountId: string, changed: readonly string[]): void {
    this.webhookCredentials.evict(accountId);
    this.accountsChanged(changed);
    this.webhooks.nudge();
  }

  /** New webhook credentials, or an account (re)activated or deactivated: the registrar looks again. */
  private webhookChanged(account: HostawayAccount, changed: readonly string[]): void {
    if (
      changed.some(
        (field) => field === 'webhook_credentials' || field === 'is_active' || field === 'deleted_at',
      )
    )
      account.webhookStatus = 'pending';
  }

  private webhookColumns(dto: { webhook_login?: string; webhook_password?: string }) {
    if (dto.webhook_login === undefined || dto.webhook_password === undefined) return {};
    return {
      webhookLogin: dto.webhook_login,
      webhookPasswordHash: hashSecret(dto.webhook_password),
      webhookPassword: this.cipher.encrypt(dto.webhook_password),
      webhookCredentialsUpdatedAt: new Date(),
      webhookStatus: 'pending' as const,
    };
  }

  private applyChanges(
    account: HostawayAccount,
    next: {
      clientSecret?: string;
      customerId?: string | null;
      webhookLogin?: string;
      webhookPassword?: string;
      syncCron?: string | null;
    },
  ): string[] {
    const changed: string[] = [];
    if (next.clientSecret !== undefined && this.cipher.decrypt(account.clientSecret) !== next.clientSecret) {
      account.clientSecret = this.cipher.encrypt(next.clientSecret);
      // a token minted with the old secret may belong to another client: mint afresh
      account.accessToken = null;
      account.accessTokenIssuedAt = null;
      account.accessTokenExpiresAt = null;
      this.credentialsRenewed(account, changed);
    }
    if (
      next.webhookLogin !== undefined &&
      next.webhookPassword !== undefined &&
      !this.sameWebhookCredentials(account, next.webhookLogin, next.webhookPassword)
    ) {
      Object.assign(
        account,
        this.webhookColumns({ webhook_login: next.webhookLogin, webhook_password: next.webhookPassword }),
      );
      changed.push('webhook_credentials');
    }
    return [
      ...changed,
      ...this.applyCommonChanges(account, { customerId: next.customerId, syncCron: next.syncCron }),
    ];
  }

  /** The same login and password again changes nothing (no upstream update). */
  private sameWebhookCredentials(account: HostawayAccount, login: string, password: string): boolean {
    return (
      account.webhookLogin === login &&
      account.webhookPassword !== null &&
      this.cipher.decrypt(account.webhookPassword) === password
    );
  }
}
