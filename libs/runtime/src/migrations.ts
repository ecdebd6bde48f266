import type { SourcePlugin } from '@staysync/core';
import type { MigrationList } from '@staysync/db';
import { SOURCES } from '@staysync/sources';
import { CORE_MIGRATIONS } from '../../../migrations';

/**
 * Everything the migrator runs: the core's migrations and each registered source's, ordered by name.
 * A name starts with `Migration` and its timestamp, so this is the order they were written in — the
 * order a database migrated when all of them still lived in migrations/ got them. A name given twice
 * would make one of the two look applied without ever running, so it is refused.
 */
export function allMigrations(sources: readonly SourcePlugin[] = SOURCES): MigrationList {
  const migrations = [...CORE_MIGRATIONS, ...sources.flatMap((source) => source.migrations)];
  const names = new Set<string>();
  for (const { name } of migrations) {
    if (names.has(name)) throw new Error(`the migration ${name} is declared twice`);
    names.add(name);
  }
  return migrations.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
