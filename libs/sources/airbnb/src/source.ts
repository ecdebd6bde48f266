import type { SourcePlugin } from '@staysync/core';
import { AIRBNB_SOURCE_NAME, parserV1 } from './parser.v1';
import { airbnbTables } from './tables';

export const airbnbSource: SourcePlugin = {
  name: AIRBNB_SOURCE_NAME,
  tables: airbnbTables,
  parsers: [parserV1],
};
