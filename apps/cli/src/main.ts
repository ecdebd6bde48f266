import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '@staysync/config';
import { migrateCommand } from './commands/migrate';
import { rotateKeyCommand } from './commands/rotate-key';
import { topicsCommand } from './commands/topics';

const program = new Command('staysync').description('staysync operations CLI').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations (a second run is a no-op)')
  .option('--down', 'revert the last migration (or down to --to)')
  .option('--to <name>', 'with --down: revert down to this migration; 0 reverts all')
  .option('--status', 'list executed and pending migrations')
  .action((opts) => migrateCommand(opts));

program
  .command('topics')
  .description('create the Kafka topics with their configs (or rely on auto-creation where the broker cannot create topics)')
  .action(() => topicsCommand());

program
  .command('rotate-key')
  .description('re-encrypt all stored credentials under the first key of CREDENTIALS_KEYS')
  .action(async () => {
    await rotateKeyCommand();
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${(error as Error).stack ?? String(error)}\n`);
  process.exit(error instanceof ConfigError ? 78 : 1);
});
