import { migrateDown, migrateUp, migrationStatus } from '@staysync/db';
import { allMigrations } from '@staysync/runtime';
import { databaseUrlFromEnv } from './env';

/** `npm run migrate [-- --down [--to NAME|0]] [-- --status]` */
export async function migrateCommand(options: {
  down?: boolean;
  to?: string;
  status?: boolean;
}): Promise<void> {
  const url = databaseUrlFromEnv();
  const migrations = allMigrations();
  if (options.status) {
    const { executed, pending } = await migrationStatus(url, migrations);
    for (const name of executed) console.log(`executed  ${name}`);
    for (const name of pending) console.log(`pending   ${name}`);
    return;
  }
  if (options.down) {
    const reverted = await migrateDown(url, migrations, { to: options.to === '0' ? 0 : options.to });
    if (reverted.length === 0) console.log('nothing to revert');
    return;
  }
  await migrateUp(url, migrations);
}
