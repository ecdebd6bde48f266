import type { SourceMigration } from '@staysync/core';
import { Migration20261122000004_hostaway_resources } from './Migration20261122000004_hostaway_resources';

/** Hostaway's own migrations (its store itself came with the core's foundation). */
export const HOSTAWAY_MIGRATIONS: readonly SourceMigration[] = [
  { name: 'Migration20261122000004_hostaway_resources', class: Migration20261122000004_hostaway_resources },
];
