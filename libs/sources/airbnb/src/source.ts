import type { SourcePlugin } from '@staysync/core';
import { AIRBNB_SOURCE_NAME, parserV1 } from './parser.v1';
import { airbnbTables } from './tables';

export const airbnbSource: SourcePlugin = {
  name: AIRBNB_SOURCE_NAME,
  tables: airbnbTables,
  parsers: [parserV1],
  // the first run backfills the whole history the API serves; later runs only the recent windows
  scheduledSyncMode: (account) => (account.lastSyncAt ? 'incremental' : 'backfill'),
};
