import { sourceAccounts } from '@staysync/core';
import { HostawayAccountCredentials } from './account-credentials';
import { HostawayAccount } from './hostaway-account';
import { HostawayAccountFields, HostawayAccountPatchFields, HostawaySyncQuery } from './requests';
import { HOSTAWAY_ACCOUNT_EXAMPLES, hostawayAccountView } from './view';

/** Hostaway accounts in the admin API: OAuth client credentials, and the webhooks' Basic credentials. */
export const hostawayAccounts = sourceAccounts({
  entity: HostawayAccount,
  title: 'Hostaway',
  firstSyncMode: 'full',
  requests: {
    upsert: HostawayAccountFields,
    patch: HostawayAccountPatchFields,
    sync: { in: 'query', type: HostawaySyncQuery },
  },
  descriptions: { created: 'Account created; its first full sync is queued' },
  examples: HOSTAWAY_ACCOUNT_EXAMPLES,
  view: hostawayAccountView,
  // ids are integers; anything else cannot exist (and must not reach a bigint comparison)
  pathAccountId: (id) => (/^[0-9]{1,18}$/.test(id) ? id : '0'),
  credentials: (context) => new HostawayAccountCredentials(context),
});

export { HostawayAccount, type WebhookStatus } from './hostaway-account';
export { hostawayAccountView, type HostawayAccountView } from './view';
