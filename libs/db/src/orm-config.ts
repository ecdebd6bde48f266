import type { EntityClass, MigrationObject } from '@mikro-orm/core';
import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities';

/**
 * MikroORM configuration shared by the apps and the migrate command. `migrations` is what the migrator
 * runs (the apps never migrate): libs/runtime's allMigrations() composes the core's and the sources'.
 * `sourceEntities` are the sources' account entities beside the core's (libs/runtime's
 * sourceEntities(); the migrator needs none).
 */
export function ormConfig(options: {
  url: string;
  poolMax?: number;
  debug?: boolean;
  migrations?: readonly MigrationObject[];
  sourceEntities?: readonly EntityClass<object>[];
}) {
  return defineConfig({
    clientUrl: options.url,
    entities: [...(options.sourceEntities ?? []), ...ENTITIES],
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax ?? 10 },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    discovery: { requireEntitiesArray: true },
    migrations: {
      migrationsList: [...(options.migrations ?? [])],
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
  });
}
