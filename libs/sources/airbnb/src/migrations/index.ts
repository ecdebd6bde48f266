import type { SourceMigration } from '@staysync/core';
import { Migration20261122000003_airbnb_metrics } from './Migration20261122000003_airbnb_metrics';

/** Airbnb's own migrations (its store itself came with the core's foundation). */
export const AIRBNB_MIGRATIONS: readonly SourceMigration[] = [
  { name: 'Migration20261122000003_airbnb_metrics', class: Migration20261122000003_airbnb_metrics },
];
