import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { hashSecret, type CredentialCipher } from '@staysync/crypto';
import { HostawayAccount } from '@staysync/db';
import { hostawaySource } from '@staysync/source-hostaway';
import { SyncJobsService } from '../jobs/sync-jobs.service';
import { CREDENTIAL_CIPHER } from '../tokens';
import { HostawayWebhookCredentials } from '../webhooks/hostaway-webhook-credentials';
import { recordAccountEvent } from './account-events';
import type { PatchHostawayAccountDto, UpsertHostawayAccountDto } from './dto/hostaway-account.dto';
import { SourceAccountsService } from './source-accounts.service';

@Injectable()
export class HostawayAccountsService extends SourceAccountsService<HostawayAccount> {
  constructor(
    em: EntityManager,
    jobs: SyncJobsService,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    private readonly webhookCredentials: HostawayWebhookCredentials,
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
          ...this.webhookColumns(dto),
        } as never);
        recordAccountEvent(tx, 'created', this.snapshot(account), ['account_id', 'customer_id', 'credentials']);
        this.jobs.queueJob(tx, { source: this.source, accountId, mode: 'full', trigger: 'startup' });
        await tx.flush();
        return { account, created: true };
      }
      const changed = this.applyChanges(existing, { clientSecret: dto.client_secret, customerId: dto.customer_id, webhookLogin: dto.webhook_login, webhookPassword: dto.webhook_password });
      const type = this.restoreIfDeleted(existing, changed);
      if (changed.length > 0) recordAccountEvent(tx, type, this.snapshot(existing), changed);
      await tx.flush();
      return { account: existing, created: false };
    });
    this.webhookCredentials.evict(accountId);
    return result;
  }

  async patch(accountId: string, dto: PatchHostawayAccountDto): Promise<HostawayAccount> {
    const account = await this.em.transactional(async (tx) => {
      const account = await this.get(accountId, tx);
      const wasActive = account.isActive;
      const changed = [
        ...this.applyChanges(account, { clientSecret: dto.client_secret, customerId: dto.customer_id, webhookLogin: dto.webhook_login, webhookPassword: dto.webhook_password }),
        ...this.applyCommonChanges(account, { isActive: dto.is_active, status: dto.status }),
      ];
      this.recordPatch(tx, account, wasActive, changed);
      await tx.flush();
      return account;
    });
    this.webhookCredentials.evict(accountId);
    return account;
  }

  protected override afterDelete(accountId: string): void {
    this.webhookCredentials.evict(accountId);
  }

  private webhookColumns(dto: { webhook_login?: string; webhook_password?: string }) {
    if (dto.webhook_login === undefined || dto.webhook_password === undefined) return {};
    return { webhookLogin: dto.webhook_login, webhookPasswordHash: hashSecret(dto.webhook_password) };
  }

  private applyChanges(
    account: HostawayAccount,
    next: { clientSecret?: string; customerId?: string | null; webhookLogin?: string; webhookPassword?: string },
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
    if (next.webhookLogin !== undefined && next.webhookPassword !== undefined) {
      Object.assign(account, this.webhookColumns({ webhook_login: next.webhookLogin, webhook_password: next.webhookPassword }));
      changed.push('webhook_credentials');
    }
    return [...changed, ...this.applyCommonChanges(account, { customerId: next.customerId })];
  }
}
