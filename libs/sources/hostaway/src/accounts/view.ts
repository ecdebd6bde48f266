import type { HostawayAccount } from './hostaway-account';

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

export type HostawayAccountView = ReturnType<typeof hostawayAccountView>;

const AT = '2026-11-22T05:00:00.000Z';

/** The OpenAPI examples of Hostaway's accounts. */
export const HOSTAWAY_ACCOUNT_EXAMPLES = {
  account: {
    account_id: 10001,
    customer_id: null,
    is_active: true,
    status: 'active',
    status_reason: null,
    last_sync_at: AT,
    sync_cron: '30 6 * * *',
    credentials: {
      client_secret_set: true,
      access_token_cached: true,
      access_token_expires_at: '2027-11-22T05:00:00.000Z',
      updated_at: AT,
    },
    webhook: {
      login: 'hostaway-hooks',
      password_set: true,
      status: 'registered',
      webhook_id: 4711,
      url: 'https://staysync.example.com/api/v1/hostaway/webhooks',
      last_error: null,
      checked_at: AT,
      registered_at: AT,
      credentials_updated_at: AT,
    },
    created_at: AT,
    updated_at: AT,
    deleted_at: null,
  } satisfies HostawayAccountView,
  upsert: {
    account_id: 10001,
    client_secret: 'client-secret-from-hostaway',
    webhook_login: 'hostaway-hooks',
    webhook_password: 'a-long-webhook-password',
  },
};
