import { Pool } from 'pg';
import { loadRetentionConfig } from '@staysync/config';
import { runRetention } from '../../../admin/src/retention/retention';
import { databaseUrlFromEnv } from './env';

/**
 * `npm run cli -- retention [--dry-run] [--json]`: one retention pass with the RETENTION_* settings
 * (the admin runs it on RETENTION_CRON); `--dry-run` prints per data set the rows (and TimescaleDB
 * chunks) that would go and changes nothing.
 */
export async function retentionCommand(options: { dryRun?: boolean; json?: boolean }): Promise<void> {
  const config = loadRetentionConfig();
  const pool = new Pool({ connectionString: databaseUrlFromEnv(), max: 2 });
  try {
    const outcomes = await runRetention(pool, config, { dryRun: options.dryRun ?? false });
    const verb = options.dryRun ? 'would go' : 'deleted';
    if (!options.json) {
      console.log(`${'data set'.padEnd(30)} ${'keep'.padEnd(10)} ${'mode'.padEnd(8)} rows ${verb} / chunks`);
      for (const o of outcomes) {
        const keep = o.days === 0 ? 'forever' : `${o.days} days`;
        console.log(
          `${o.table.padEnd(30)} ${keep.padEnd(10)} ${o.mode.padEnd(8)} ${o.rows}${o.chunks === null ? '' : ` / ${o.chunks} chunks`}`,
        );
      }
    }
    console.log(JSON.stringify({ dryRun: options.dryRun ?? false, dataSets: outcomes }));
  } finally {
    await pool.end();
  }
}
