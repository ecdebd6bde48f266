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
    /** this account's schedule; null: SYNC_CRON */
    sync_cron: account.syncCron,
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
    sync_cron: account.syncCron,
    credentials: {
      client_secret_set: Boolean(account.clientSecret),
      access_token_cached: Boolean(account.accessToken),
      access_token_expires_at: account.accessTokenExpiresAt?.toISOString() ?? null,
      updated_at: account.credentialsUpdatedAt.toISOString(),
    },
    webhook: {
      login: account.webhookLogin,
      password_set: Boolean(account.webhookPasswordHash),
      /** pending, registered, failed, removed or unconfigured (docs/runbook.md) */
      status: account.webhookStatus,
      webhook_id: account.webhookId,
      url: account.webhookUrl,
      last_error: account.webhookError,
      checked_at: account.webhookCheckedAt?.toISOString() ?? null,
      registered_at: account.webhookRegisteredAt?.toISOString() ?? null,
      credentials_updated_at: account.webhookCredentialsUpdatedAt?.toISOString() ?? null,
    },
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
    deleted_at: account.deletedAt?.toISOString() ?? null,
  };
}
