import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '@staysync/config';
import { benchCommand, DEFAULT_MANY_ACCOUNTS, DEFAULT_MANY_ACCOUNTS_PACING_MS } from './bench/bench.command';
import { chaosCommand } from './chaos/chaos.command';
import { demoCommand } from './commands/demo';
import { kafkaCommand } from './commands/kafka';
import { migrateCommand } from './commands/migrate';
import { parseCommand } from './commands/parse';
import { replayCommand } from './commands/replay';
import { retentionCommand } from './commands/retention';
import { rotateKeyCommand } from './commands/rotate-key';
import { topicsCommand } from './commands/topics';

const program = new Command('staysync').description('staysync operations CLI').showHelpAfterError();

program
  .command('migrate')
  .description('apply pending database migrations (a second run is a no-op)')
  .option('--down', 'revert the last migration (or down to --to)')
  .option('--to <name>', 'with --down: revert down to this migration; 0 reverts all')
  .option('--status', 'list executed and pending migrations')
  .action((opts: Parameters<typeof migrateCommand>[0]) => migrateCommand(opts));

program
  .command('topics')
  .description(
    'create the Kafka topics with their configs (or rely on auto-creation where the broker cannot create topics)',
  )
  .action(() => topicsCommand());

program
  .command('kafka')
  .description(
    'start a local Apache Kafka (single-node KRaft from Maven Central jars) and keep it up until Ctrl-C',
  )
  .option(
    '--resolve-only',
    'only resolve the broker and Kafka Connect (bench peer) jars into the cache (~/.cache/staysync) and exit',
  )
  .option('--heap-mb <n>', 'broker JVM heap', '512')
  .action(async (opts: Parameters<typeof kafkaCommand>[0]) => {
    await kafkaCommand(opts);
    process.exit(0);
  });

program
  .command('rotate-key')
  .description('re-encrypt all stored credentials under the first key of CREDENTIALS_KEYS')
  .action(async () => {
    await rotateKeyCommand();
  });

program
  .command('parse')
  .description(
    'print the rows the loader would upsert for one saved upstream response (one JSON object on stdout)',
  )
  .argument('<source>', 'source name (airbnb | hostaway)')
  .argument('<response>', 'path of the saved response JSON')
  .option('--operation <name>', 'airbnb: ChartQuery | ListOfMetricsQuery | ListingsSectionQuery')
  .option('--resource <name>', 'hostaway: listings | reservations | conversations | messages')
  .option(
    '--scrape-date <YYYY-MM-DD>',
    'scrape day of the response (airbnb: required; hostaway: default today)',
  )
  .option('--listing-id <id>', 'listing the request was for')
  .option('--listing-name <name>', 'listing internal name')
  .option('--metric <groupByValue>', 'the requested metric (groupByValues[0])')
  .option('--metric-type <type>', 'the requested metricType', 'CONVERSION')
  .option('--window <start:end>', 'the requested window, inclusive')
  .option('--account-id <id>', 'account id to put on the rows')
  .action((source: string, response: string, opts: Parameters<typeof parseCommand>[2]) =>
    parseCommand(source, response, opts),
  );

program
  .command('replay')
  .description(
    're-parse stored raw responses (or the raw topic) with the current parser, with a progress bar',
  )
  .requiredOption('--from <iso>', 'inclusive lower bound on fetched_at (ISO-8601)')
  .requiredOption('--to <iso>', 'inclusive upper bound on fetched_at (ISO-8601)')
  .option('--source <name>', 'airbnb | hostaway', 'airbnb')
  .option(
    '--origin <origin>',
    'store (the raw_responses table) | topic (the raw topic, offsets by timestamp)',
    'store',
  )
  .option('--account-id <id>', 'only this account')
  .option('--dry-run', 'report rows that would be added / changed / unchanged, writing nothing')
  .option('--json', 'print the report as one JSON object (last stdout line)')
  .action(async (opts: Parameters<typeof replayCommand>[0]) => {
    await replayCommand(opts);
    process.exit(0);
  });

program
  .command('retention')
  .description(
    "one retention pass (RETENTION_* settings): delete rows past each data set's retention in bounded batches, set TimescaleDB retention policies",
  )
  .option('--dry-run', 'print per data set the rows (and chunks) that would go; change nothing')
  .option('--json', 'only the JSON line')
  .action(async (opts: Parameters<typeof retentionCommand>[0]) => {
    await retentionCommand(opts);
    process.exit(0);
  });

program
  .command('demo')
  .description(
    'run the whole pipeline on local defaults against the Airbnb simulator, with a backfill and a summary',
  )
  .option('--once', 'exit after the summary instead of keeping the admin API up')
  .option('--accounts <n>', 'demo accounts', '2')
  .option('--listings <n>', 'listings per account', '3')
  .option('--lookahead-weeks <n>', 'AIRBNB_LOOKAHEAD_WEEKS for the demo', '25')
  .option('--port <port>', 'admin API port (default PORT or 3000)')
  .option('--database <name>', 'database recreated on the DATABASE_URL server', 'staysync_demo')
  .action(async (opts: Parameters<typeof demoCommand>[0]) => {
    await demoCommand(opts);
    process.exit(0);
  });

program
  .command('bench')
  .description(
    'measure fetch pacing overhead, loader throughput (vs a COPY ceiling, two peers, 1 vs 2 loaders) and fetched→committed lag on local infrastructure',
  )
  .option('--json', 'print the result as one JSON object on the last stdout line')
  .option('--accounts <n>', 'simulated accounts (fetched in parallel)', '4')
  .option('--listings <n>', 'listings per account', '5')
  .option('--lookahead-weeks <n>', 'AIRBNB_LOOKAHEAD_WEEKS', '25')
  .option('--pacing-ms <ms>', 'AIRBNB_MIN_INTERVAL_MS for the fetch runs (no jitter, no listing pause)', '20')
  .option('--fetcher-concurrency <n>', 'FETCHER_ACCOUNT_CONCURRENCY for the fetch runs (default: --accounts)')
  .option(
    '--many-accounts <n>',
    'the live lag at <n> accounts × 1 listing, 1 week, all fetched at once (live_many_accounts); 0 skips it',
    DEFAULT_MANY_ACCOUNTS,
  )
  .option(
    '--many-accounts-pacing-ms <ms>',
    'AIRBNB_MIN_INTERVAL_MS of the many-accounts phase',
    DEFAULT_MANY_ACCOUNTS_PACING_MS,
  )
  .option('--no-publish-metrics', 'the loader publishes no loaded rows')
  .option(
    '--published-topics <ids>',
    'LOADER_PUBLISHED_TOPICS of the measured loaders (one more run uses the loader default)',
    'airbnb.metrics.v2',
  )
  .option(
    '--no-kafka-connect',
    'skip peer 1 (Kafka Connect + Debezium JDBC sink; it needs Java, and Maven for a cold jar cache)',
  )
  .option('--no-loader-processes', 'skip the loaders as 1 and 2 OS processes (loader_processes)')
  .option(
    '--profile <file>',
    'CPU-profile one extra single-loader run into <file> (.cpuprofile) and report its top functions',
  )
  .action(async (opts: Parameters<typeof benchCommand>[0]) => {
    await benchCommand(opts);
    process.exit(0);
  });

program
  .command('chaos')
  .description(
    'fault suite: admin, fetcher(s), loader(s) as separate processes on a local broker and database; per scenario a clean and a faulted sync, compared (table on stderr, JSON on stdout)',
  )
  .option(
    '--scenario <name...>',
    'fetcher-kill | loader-kill | broker-pause | db-terminate | db-restart | poison | sigterm (default: all)',
  )
  .option('--json', 'only the JSON line on stdout (the table still goes to stderr)')
  .option('--accounts <n>', 'simulated accounts', '4')
  .option('--listings <n>', 'listings per account', '3')
  .option('--lookahead-weeks <n>', 'AIRBNB_LOOKAHEAD_WEEKS', '4')
  .option(
    '--pacing-ms <ms>',
    'AIRBNB_MIN_INTERVAL_MS (≥ 250: one response per Kafka send, so a kill loses at most the request in flight)',
    '250',
  )
  .option('--poison <n>', 'poison messages in the poison scenario', '10000')
  .option('--broker-pause-s <s>', 'how long the broker stays paused', '30')
  .option(
    '--lease-ms <ms>',
    "FETCHER_JOB_LEASE_MS of the fetchers (how soon a killed fetcher's job is resumed)",
    '10000',
  )
  .option('--timeout-s <s>', 'after the fault, how long jobs may take before they count as stuck', '300')
  .option(
    '--restart-database',
    'also run db-restart: restart the PostgreSQL server with pg_ctlcluster (every database on it)',
  )
  .action(async (opts: Parameters<typeof chaosCommand>[0]) => {
    const report = await chaosCommand(opts);
    process.exit(report.ok ? 0 : 1);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(
    error instanceof ConfigError ? `${error.message}\n` : `${(error as Error).stack ?? String(error)}\n`,
  );
  process.exit(error instanceof ConfigError ? 78 : 1);
});
