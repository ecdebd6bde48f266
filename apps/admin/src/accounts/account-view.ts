import type { AirbnbAccount } from '@staysync/db';

/** What the API shows of an account: never a credential, only whether it is set and when it changed. */
export function airbnbAccountView(account: AirbnbAccount) {
  return {
    account_id: account.accountId,
    customer_id: account.customerId,
    x_client_version: account.xClientVersion,
    is_active: account.isActive,
    status: account.status,
    status_reason: account.statusReason,
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
