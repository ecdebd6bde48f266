import type { SourcePlugin } from '@staysync/core';
import { HOSTAWAY_SOURCE_NAME, parserV1 } from './parser.v1';
import { hostawayTables } from './tables';

export const hostawaySource: SourcePlugin = {
  name: HOSTAWAY_SOURCE_NAME,
  tables: hostawayTables,
  parsers: [parserV1],
};
