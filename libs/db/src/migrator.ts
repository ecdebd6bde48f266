import type { MigrationObject } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { ormConfig } from './orm-config';

/**
 * What the migrator runs, in this order: the core's migrations and every registered source's
 * (libs/runtime's allMigrations() composes them; libs/db never imports the registry).
 */
export type MigrationList = readonly MigrationObject[];

export interface MigrateResult {
  applied: string[];
  pending: string[];
}

async function withOrm<T>(
  url: string,
  migrations: MigrationList,
  fn: (orm: MikroORM) => Promise<T>,
): Promise<T> {
  const orm = await MikroORM.init({ ...ormConfig({ url, poolMax: 2, migrations }), logger: () => undefined });
  try {
    return await fn(orm);
  } finally {
    await orm.close(true);
  }
}

/** Applies pending migrations; a second run applies nothing. */
export async function migrateUp(
  url: string,
  migrations: MigrationList,
  options: { silent?: boolean; to?: string } = {},
): Promise<MigrateResult> {
  return withOrm(url, migrations, async (orm) => {
    const migrator = orm.getMigrator();
    const applied = await migrator.up(options.to ? { to: options.to } : undefined);
    const pending = await migrator.getPendingMigrations();
    if (!options.silent) {
      for (const m of applied) console.log(`applied ${m.name}`);
      if (applied.length === 0) console.log('database is up to date');
    }
    return { applied: applied.map((m) => m.name), pending: pending.map((m) => m.name) };
  });
}

/** Reverts migrations: the last one by default, or all down to (and excluding) `to`; `to: 0` reverts everything. */
export async function migrateDown(
  url: string,
  migrations: MigrationList,
  options: { to?: string | 0; silent?: boolean } = {},
): Promise<string[]> {
  return withOrm(url, migrations, async (orm) => {
    const migrator = orm.getMigrator();
    const reverted = await migrator.down(options.to === undefined ? undefined : { to: options.to });
    if (!options.silent) for (const m of reverted) console.log(`reverted ${m.name}`);
    return reverted.map((m) => m.name);
  });
}

export async function migrationStatus(
  url: string,
  migrations: MigrationList,
): Promise<{ executed: string[]; pending: string[] }> {
  return withOrm(url, migrations, async (orm) => {
    const migrator = orm.getMigrator();
    return {
      executed: (await migrator.getExecutedMigrations()).map((m) => m.name),
      pending: (await migrator.getPendingMigrations()).map((m) => m.name),
    };
  });
}
