import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261122000001_foundation } from './Migration20261122000001_foundation';
import { Migration20261122000002_timescale_raw_stores } from './Migration20261122000002_timescale_raw_stores';
import { Migration20261203000005_dead_lettered_responses } from './Migration20261203000005_dead_lettered_responses';
import { Migration20261204000006_data_lifecycle } from './Migration20261204000006_data_lifecycle';
import { Migration20261204000010_read_side_indexes } from './Migration20261204000010_read_side_indexes';
import { Migration20261204000011_fetch_resume_state } from './Migration20261204000011_fetch_resume_state';
import { Migration20261204000013_airbnb_session_states } from './Migration20261204000013_airbnb_session_states';
import { Migration20261204000015_sync_events } from './Migration20261204000015_sync_events';
import { Migration20261205000016_webhook_registration } from './Migration20261205000016_webhook_registration';
import { Migration20261205000017_shape_drift } from './Migration20261205000017_shape_drift';

/**
 * The core's migrations (explicit, so builds and tests never depend on file globbing). Each source
 * declares its own (`SourcePlugin.migrations`); libs/runtime's allMigrations() runs both, by name.
 */
export const CORE_MIGRATIONS: readonly MigrationObject[] = [
  { name: 'Migration20261122000001_foundation', class: Migration20261122000001_foundation },
  {
    name: 'Migration20261122000002_timescale_raw_stores',
    class: Migration20261122000002_timescale_raw_stores,
  },
  {
    name: 'Migration20261203000005_dead_lettered_responses',
    class: Migration20261203000005_dead_lettered_responses,
  },
  { name: 'Migration20261204000006_data_lifecycle', class: Migration20261204000006_data_lifecycle },
  { name: 'Migration20261204000010_read_side_indexes', class: Migration20261204000010_read_side_indexes },
  { name: 'Migration20261204000011_fetch_resume_state', class: Migration20261204000011_fetch_resume_state },
  {
    name: 'Migration20261204000013_airbnb_session_states',
    class: Migration20261204000013_airbnb_session_states,
  },
  { name: 'Migration20261204000015_sync_events', class: Migration20261204000015_sync_events },
  {
    name: 'Migration20261205000016_webhook_registration',
    class: Migration20261205000016_webhook_registration,
  },
  { name: 'Migration20261205000017_shape_drift', class: Migration20261205000017_shape_drift },
];
