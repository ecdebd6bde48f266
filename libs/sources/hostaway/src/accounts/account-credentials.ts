import type { AccountCredentials, AccountHookContext } from '@staysync/core';
import { hashSecret } from '@staysync/crypto';
import type { HostawayAccount } from './hostaway-account';
import type { HostawayAccountFields, HostawayAccountPatchFields } from './requests';

/**
 * A Hostaway account's credentials: the OAuth client secret (sealed; the account id is the client id)
 * with the access token minted from it, and optionally the HTTP Basic login and password Hostaway's
 * webhooks carry (the password sealed, for registering upstream, and scrypt-hashed, for checking).
 */
export class HostawayAccountCredentials implements AccountCredentials<HostawayAccount> {
  constructor(private readonly context: AccountHookContext) {}

  accountIdOf(body: HostawayAccountFields): string {
    return String(body.account_id);
  }

  create(body: HostawayAccountFields): Partial<HostawayAccount> {
    return { clientSecret: this.context.seal(body.client_secret), ...this.webhookColumns(body) };
  }

  apply(
    account: HostawayAccount,
    body: HostawayAccountPatchFields,
    options: { credentialsRenewed: (changed: string[]) => void },
  ): string[] {
    const changed: string[] = [];
    if (
      body.client_secret !== undefined &&
      this.context.unseal(account.clientSecret) !== body.client_secret
    ) {
      account.clientSecret = this.context.seal(body.client_secret);
      // a token minted with the old secret may belong to another client: mint afresh
      account.accessToken = null;
      account.accessTokenIssuedAt = null;
      account.accessTokenExpiresAt = null;
      options.credentialsRenewed(changed);
    }
    if (
      body.webhook_login !== undefined &&
      body.webhook_password !== undefined &&
      !this.sameWebhookCredentials(account, body.webhook_login, body.webhook_password)
    ) {
      Object.assign(account, this.webhookColumns(body));
      changed.push('webhook_credentials');
    }
    return changed;
  }

  /** New webhook credentials, or an account (re)activated or deactivated: the registrar looks again. */
  settle(account: HostawayAccount, changed: readonly string[]): void {
    if (
      changed.some(
        (field) => field === 'webhook_credentials' || field === 'is_active' || field === 'deleted_at',
      )
    )
      account.webhookStatus = 'pending';
  }

  private webhookColumns(body: {
    webhook_login?: string;
    webhook_password?: string;
  }): Partial<HostawayAccount> {
    if (body.webhook_login === undefined || body.webhook_password === undefined) return {};
    return {
      webhookLogin: body.webhook_login,
      webhookPasswordHash: hashSecret(body.webhook_password),
      webhookPassword: this.context.seal(body.webhook_password),
      webhookCredentialsUpdatedAt: new Date(),
      webhookStatus: 'pending',
    };
  }

  /** The same login and password again changes nothing (no upstream update). */
  private sameWebhookCredentials(account: HostawayAccount, login: string, password: string): boolean {
    return (
      account.webhookLogin === login &&
      account.webhookPassword !== null &&
      this.context.unseal(account.webhookPassword) === password
    );
  }
}
