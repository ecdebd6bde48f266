import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadEnvelopes } from '@staysync/pipeline';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '../harness';
import { fixtureEnvelopes, snapshot } from '../loader/support';

const run = promisify(execFile);
const ROOT = join(__dirname, '../..');
const ACCOUNT = '5001';

describe('CLI > npm run cli -- replay (real process)', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    await loadEnvelopes(pool, fixtureEnvelopes({ accountId: ACCOUNT }));
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const replay = (...args: string[]) =>
    run(
      'node',
      [
        '-r',
        '@swc-node/register',
        'apps/cli/src/main.ts',
        'replay',
        '--from',
        '2025-07-16T00:00:00Z',
        '--to',
        '2025-07-17T00:00:00Z',
        '--account-id',
        ACCOUNT,
        ...args,
      ],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? 'localhost:9092',
          LOG_LEVEL: 'warn',
        },
        timeout: 60_000,
      },
    );

  it('dry run: progress on stderr, the report as the last stdout line, nothing written; then the real replay repairs the row', async () => {
    const healthy = await snapshot(pool, ACCOUNT);
    await pool.query(
      `UPDATE airbnb.chart_query SET conversion_rate_your_value = NULL, p3_impressions_your_value = 0 WHERE account_id = $1`,
      [ACCOUNT],
    );
    const damaged = await snapshot(pool, ACCOUNT);

    const dry = await replay('--dry-run', '--json');
    const report = JSON.parse(dry.stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ origin: 'store', dryRun: true, responses: 3, poison: [] });
    expect(report.rows['airbnb.listings']).toEqual({ added: 0, changed: 0, unchanged: 7 });
    expect(report.rows['airbnb.chart_query'].added).toBe(0);
    expect(report.rows['airbnb.chart_query'].changed).toBeGreaterThan(0);
    expect(dry.stderr).toContain('3/3 responses');
    expect(dry.stderr).toContain('dry run: nothing written');
    expect(await snapshot(pool, ACCOUNT)).toEqual(damaged);
    const { rows } = await pool.query(`SELECT status, processed, dry_run FROM ops.replays WHERE id = $1`, [
      report.replay_id,
    ]);
    expect(rows).toEqual([{ status: 'succeeded', processed: 3, dry_run: true }]);

    await replay();
    expect(await snapshot(pool, ACCOUNT)).toEqual(healthy);
  });
});
