import { SingleBar } from 'cli-progress';
import { Pool } from 'pg';
import { commonShape, parseEnv, toCommonConfig } from '@staysync/config';
import { createKafka } from '@staysync/kafka';
import { createLogger } from '@staysync/observability';
import { createReplay, runReplay, type ReplayReport, type ReplayRequest } from '@staysync/pipeline';

export interface ReplayOptions {
  source: string;
  from: string;
  to: string;
  origin: string;
  accountId?: string;
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `npm run cli -- replay --from … --to … [--origin store|topic] [--dry-run]`: re-parses stored raw
 * responses (or the raw topic) with the current parser, beside live loading. A progress bar goes to
 * stderr; the report to stdout (its last line is the report as JSON with --json). Ctrl-C stops between
 * batches; the ops.replays row then ends `failed` and the replay can simply be run again.
 */
export async function replayCommand(options: ReplayOptions): Promise<ReplayReport> {
  if (options.origin !== 'store' && options.origin !== 'topic')
    throw new Error(`--origin must be store or topic, not "${options.origin}"`);
  const request: ReplayRequest = {
    source: options.source,
    origin: options.origin,
    from: new Date(options.from),
    to: new Date(options.to),
    accountId: options.accountId,
    dryRun: options.dryRun ?? false,
  };
  const config = toCommonConfig('cli', parseEnv(commonShape, process.env));
  const logger = createLogger({
    service: 'cli',
    level: config.logLevel === 'info' ? 'warn' : config.logLevel,
  });
  const pool = new Pool({ connectionString: config.database.url, max: 2 });
  const abort = new AbortController();
  const stop = () => abort.abort(new Error('interrupted (Ctrl-C)'));
  process.once('SIGINT', stop);
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'replay {bar} {value}/{total} responses | {duration}s',
    hideCursor: true,
    noTTYOutput: true,
    notTTYSchedule: 2000,
  });
  try {
    const replayId = await createReplay(pool, request);
    process.stderr.write(
      `replay ${replayId}: ${request.source} from ${request.origin}, ${request.dryRun ? 'dry run' : 'writing'}\n`,
    );
    let barStarted = false;
    const report = await runReplay(
      {
        pool,
        kafka: request.origin === 'topic' ? createKafka(config.kafka, logger) : undefined,
        settings: config.kafka,
        logger,
      },
      replayId,
      request,
      {
        signal: abort.signal,
        onProgress: ({ processed, total }) => {
          if (!barStarted) {
            bar.start(total ?? processed, 0);
            barStarted = true;
          }
          if (total === null) bar.setTotal(Math.max(processed, 1));
          bar.update(processed);
        },
      },
    );
    if (barStarted) bar.stop();
    process.stderr.write(humanSummary(report));
    if (options.json) process.stdout.write(`${JSON.stringify({ replay_id: replayId, ...report })}\n`);
    return report;
  } finally {
    bar.stop();
    process.off('SIGINT', stop);
    await pool.end();
  }
}

function humanSummary(report: ReplayReport): string {
  const lines = [
    `${report.responses} responses re-parsed in ${report.durationMs} ms${report.dryRun ? ' (dry run: nothing written)' : ''}`,
  ];
  for (const [table, counts] of Object.entries(report.rows))
    lines.push(`  ${table}: ${counts.added} added, ${counts.changed} changed, ${counts.unchanged} unchanged`);
  for (const [table, samples] of Object.entries(report.samples)) {
    for (const sample of samples.slice(0, 3))
      lines.push(`  changed ${table} ${JSON.stringify(sample.key)}: ${JSON.stringify(sample.changes)}`);
  }
  if (report.poison.length)
    lines.push(
      `  ${report.poison.length} responses could not be parsed (first: ${report.poison[0].requestKey}: ${report.poison[0].error})`,
    );
  return `${lines.join('\n')}\n`;
}
