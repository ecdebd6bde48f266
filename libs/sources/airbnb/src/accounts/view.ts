import type { AirbnbAccount } from './airbnb-account';

/** What the API shows of an Airbnb account: never the cookie, only whether it is set and when it changed. */
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

const AT = '2026-11-22T05:00:00.000Z';

/** The OpenAPI examples of Airbnb's accounts. */
export const AIRBNB_ACCOUNT_EXAMPLES = {
  account: {
    account_id: '6001',
    customer_id: null,
    x_client_version: '1f9e3d0c2b',
    is_active: true,
    status: 'active',
    status_reason: null,
    blocked_until: null,
    last_sync_at: AT,
    sync_cron: null,
    credentials: { cookie_set: true, updated_at: AT },
    created_at: AT,
    updated_at: AT,
    deleted_at: null,
  } satisfies AirbnbAccountView,
  upsert: {
    cookie: '_airbed_session_id=…; _aat=…',
    x_client_version: '1f9e3d0c2b',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
  },
};
