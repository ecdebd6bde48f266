import type { AirbnbAccount, HostawayAccount } from '@staysync/db';

/** What the API shows of an account: never a credential, only whether it is set and when it changed. */
export function airbnbAccountView(account: AirbnbAccount) {
  return {
    account_id: account.accountId,
    customer_id: account.customerId,
    x_client_version: account.xClientVersion,
    is_active: account.isActive,
    status: account.status,
    status_reason: account.statusReason,
    /** while status is blocked: when the scheduler syncs the account again */
    blocked_until: account.blockedUntil?.toISOString() ?? null,
    last_sync_at: account.lastSyncAt?.toISOString() ?? null,
    credentials: {
      cookie_set: Boolean(account.cookieCiphertext),
      updated_at: account.credentialsUpdatedAt.toISOString(),
    },
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
    deleted_at: account.deletedAt?.toISOString() ?? null,
  };
}

export type AirbnbAccountView = ReturnType<typeof airbnbAccountView>;

/** What the API shows of a Hostaway account: whether secrets are set, never the secrets. */
export function hostawayAccountView(account: HostawayAccount) {
  return {
    account_id: Number(account.accountId),
    customer_id: account.customerId,
    is_active: account.isActive,
    status: account.status,
    status_reason: account.statusReason,
    last_sync_at: account.lastSyncAt?.toISOString() ?? null,
    credentials: {
      client_secret_set: Boolean(account.clientSecret),
      access_token_cached: Boolean(account.accessToken),
      access_token_expires_at: account.accessTokenExpiresAt?.toISOString() ?? null,
      updated_at: account.credentialsUpdatedAt.toISOString(),
    },
    webhook: { login: account.webhookLogin, password_set: Boolean(account.webhookPasswordHash), webhook_id: account.webhookId },
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
    deleted_at: account.deletedAt?.toISOString() ?? null,
  };
}
