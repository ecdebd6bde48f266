import type { SourcePlugin } from '@staysync/core';
import { airbnbAccounts } from './accounts';
import { airbnbAdmin } from './admin-config';
import { airbnbFetch } from './fetch/config';
import { AIRBNB_MIGRATIONS } from './migrations';
import { AIRBNB_OPERATION_NAMES } from './operations';
import { AIRBNB_SOURCE_NAME, parserV1 } from './parser.v1';
import { airbnbReadTables, airbnbRetention } from './read-side';
import { airbnbTables } from './tables';
import { airbnbListingMetricsTopic, airbnbMetricsTopic } from './topics/metrics-topic';

export const airbnbSource: SourcePlugin = {
  name: AIRBNB_SOURCE_NAME,
  tables: airbnbTables,
  migrations: AIRBNB_MIGRATIONS,
  operations: AIRBNB_OPERATION_NAMES,
  parsers: [parserV1],
  topics: {
    raw: {
      description:
        'Raw Airbnb insights responses with request metadata: fetcher → loader, and the replay source.',
    },
    published: [airbnbMetricsTopic, airbnbListingMetricsTopic],
  },
  fetch: airbnbFetch,
  admin: airbnbAdmin,
  sealed: { accountColumns: ['airbnb_cookie'] },
  readTables: airbnbReadTables,
  retention: airbnbRetention,
  accounts: airbnbAccounts,
  // the listings call only names the listings; the metrics are the data
  dataOperations: ['ChartQuery', 'ListOfMetricsQuery'],
  // the first run backfills the whole history the API serves; later runs only the recent windows
  scheduledSyncMode: (account) => (account.lastSyncAt ? 'incremental' : 'backfill'),
};
