import type { AccountAction } from '@staysync/core';
import type { AirbnbAccount } from './airbnb-account';
import type { AirbnbAccountCredentials } from './credentials';
import { AIRBNB_ACCOUNT_EXAMPLES } from './view';

/**
 * `POST /api/v1/airbnb/accounts/{id}/validate` re-checks the stored credentials with the preflight: live
 * lifts needs_reauth or blocked, dead marks the account needs_reauth (with its event), an edge block
 * changes nothing (the check itself was blocked).
 */
export const validateAction: AccountAction<AirbnbAccount, AirbnbAccountCredentials> = {
  path: 'validate',
  description:
    'The stored credentials were checked with the preflight; the account status follows (live → active, dead → needs_reauth)',
  example: AIRBNB_ACCOUNT_EXAMPLES.account,
  async run(accountId, context, credentials) {
    const stored = await context.get(accountId);
    const verdict = await credentials.check.check(credentials.storedCredentials(stored));
    const account = await context.change(accountId, (account) => {
      if (verdict.state === 'live' && (account.status === 'needs_reauth' || account.status === 'blocked')) {
        account.status = 'active';
        account.statusReason = null;
        account.blockedUntil = null;
        return { event: 'updated', changed: ['status'] };
      }
      if (verdict.state === 'dead' && account.status !== 'needs_reauth') {
        account.status = 'needs_reauth';
        account.statusReason = `credential check: ${verdict.message} (${verdict.signal})`;
        return { event: 'needs_reauth', changed: ['status'] };
      }
      return undefined;
    });
    return {
      account: context.view(account),
      preflight: {
        state: verdict.state,
        signal: verdict.state === 'dead' ? verdict.signal : null,
        message: verdict.state === 'live' ? null : verdict.message,
      },
    };
  },
};
