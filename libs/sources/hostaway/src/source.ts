import type { SourcePlugin } from '@staysync/core';
import { hostawayAccounts } from './accounts';
import { hostawayAdmin } from './admin-config';
import { hostawayFetch } from './fetch/config';
import { HOSTAWAY_MIGRATIONS } from './migrations';
import { HOSTAWAY_OPERATIONS, HOSTAWAY_SOURCE_NAME, parserV1 } from './parser.v1';
import { hostawayReadTables, hostawayRetention, hostawayStateGauges } from './read-side';
import { hostawayTables } from './tables';

export const hostawaySource: SourcePlugin = {
  name: HOSTAWAY_SOURCE_NAME,
  tables: hostawayTables,
  migrations: HOSTAWAY_MIGRATIONS,
  operations: HOSTAWAY_OPERATIONS,
  parsers: [parserV1],
  topics: {
    raw: {
      description:
        'Raw Hostaway responses and webhook deliveries with request metadata: fetcher/admin → loader, and the replay source.',
    },
  },
  fetch: hostawayFetch,
  admin: hostawayAdmin,
  sealed: {
    accountColumns: ['client_secret', 'access_token', 'webhook_password'],
    // property secrets (HOSTAWAY_SENSITIVE_FIELDS) are sealed inside the stored entities and raw bodies
    payloadColumns: [
      ...hostawayTables.map((spec) => ({ table: spec.table, keys: ['id'], column: 'raw_payload' })),
      { table: 'hostaway.raw_responses', keys: ['request_key', 'fetched_at'], column: 'body' },
    ],
  },
  readTables: hostawayReadTables,
  retention: hostawayRetention,
  stateGauges: hostawayStateGauges,
  accounts: hostawayAccounts,
  // conversations pages only lead to the message threads; webhooks belong to no job
  dataOperations: ['listings', 'reservations', 'messages'],
  // incremental narrows only listings and reservations (~2 % fewer calls, reference §2): always full
  scheduledSyncMode: () => 'full',
};
