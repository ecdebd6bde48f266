import { defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';

/** MikroORM configuration shared by the apps and the migrate command. */
export function ormConfig(options: { url: string; poolMax?: number; debug?: boolean }) {
  return defineConfig({
    clientUrl: options.url,
    entities: ENTITIES,
    extensions: [Migrator],
    pool: { min: 0, max: options.poolMax ?? 10 },
    debug: options.debug ?? false,
    allowGlobalContext: false,
    forceUtcTimezone: true,
    discovery: { requireEntitiesArray: true },
    migrations: {
      migrationsList: MIGRATIONS,
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
  });
}
