import { sourceAccounts } from '@staysync/core';
import { AirbnbAccount } from './airbnb-account';
import { AirbnbAccountCredentials } from './credentials';
import { AirbnbAccountFields, AirbnbAccountPatchFields, SyncRequestDto, ValidateQuery } from './requests';
import { validateAction } from './validate-action';
import { AIRBNB_ACCOUNT_EXAMPLES, airbnbAccountView } from './view';

/** Airbnb accounts in the admin API: a host session cookie, checked with the preflight before it is stored. */
export const airbnbAccounts = sourceAccounts({
  entity: AirbnbAccount,
  title: 'Airbnb',
  firstSyncMode: 'backfill',
  requests: {
    upsert: AirbnbAccountFields,
    patch: AirbnbAccountPatchFields,
    sync: { in: 'body', type: SyncRequestDto },
    checkQuery: ValidateQuery,
  },
  descriptions: {
    created: 'Account created; its first backfill is queued',
    unprocessable: {
      upsert: 'The credential check (preflight) found the session dead; the problem names the signal',
      patch: 'New credentials failed the credential check (preflight)',
    },
  },
  examples: AIRBNB_ACCOUNT_EXAMPLES,
  view: airbnbAccountView,
  credentials: (context) => new AirbnbAccountCredentials(context),
  actions: [validateAction],
});

export { AirbnbAccount } from './airbnb-account';
export { AirbnbCredentialCheck, type AirbnbCredentialsToCheck } from './credential-check';
export { airbnbAccountView, type AirbnbAccountView } from './view';
