import { spawnSync } from 'node:child_process';
import { Pool } from 'pg';
import { loadEnvelopes } from '@staysync/pipeline';
import { ratioToCeiling, runCopyCeiling, storageOf } from '../../apps/cli/src/bench/copy-ceiling';
import { loadedTableRows } from '../../apps/cli/src/bench/context';
import { createTestDatabase, type TestDatabase } from '../harness';
import { fixtureEnvelopes } from '../loader/support';

/** Whether this PostgreSQL server can run TimescaleDB (the migrations then make the metric tables and raw store hypertables). */
const timescaleAvailable =
  spawnSync(
    'psql',
    [
      process.env.DATABASE_URL ?? '',
      '-Atc',
      `SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`,
    ],
    { encoding: 'utf8' },
  ).stdout.trim() === '1';
if (!timescaleAvailable) {
  process.stderr.write(
    'copy-ceiling.test: TimescaleDB is not available on this PostgreSQL server; the hypertable test is skipped\n',
  );
}

/** The three recorded fixtures of test/loader/support.ts: what the loader leaves from them, per table. */
const FIXTURE_ROWS = { listings: 7, chart_query: 28, list_of_metrics: 1, chart_summary: 1, raw_responses: 3 };
const FIXTURE_TOTAL = 40;

describe('COPY ceiling', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    // two accounts' fixtures, so every table has rows from more than one key
    await loadEnvelopes(pool, [
      ...fixtureEnvelopes({ accountId: 'ceil-1' }),
      ...fixtureEnvelopes({ accountId: 'ceil-2' }),
    ]);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('reads back and writes every row the loader left, per table, and reports the storage', async () => {
    const left = await loadedTableRows(pool);
    expect(left).toEqual(Object.fromEntries(Object.entries(FIXTURE_ROWS).map(([t, n]) => [t, 2 * n])));

    const ceiling = await runCopyCeiling(pool);
    expect(Object.fromEntries(Object.entries(ceiling.tables).map(([t, v]) => [t, v.rows]))).toEqual(left);
    expect(ceiling.rows).toBe(2 * FIXTURE_TOTAL);
    expect(ceiling.metric_tables.rows).toBe(2 * (FIXTURE_TOTAL - FIXTURE_ROWS.raw_responses));
    expect(ceiling.storage).toBe(await storageOf(pool));
    expect(ceiling.storage).toMatch(timescaleAvailable ? /^timescaledb \d+\.\d+/ : /^postgresql$/);
    // the guard lets the ratio through when the counts agree and refuses it when one row is missing
    expect(ratioToCeiling({ rows: ceiling.rows, rows_per_s: ceiling.rows_per_s / 2 }, ceiling)).toBe(0.5);
    expect(() => ratioToCeiling({ rows: ceiling.rows + 1, rows_per_s: 1 }, ceiling)).toThrow(
      `the COPY ceiling read back ${ceiling.rows} rows but the loader left ${ceiling.rows + 1} rows`,
    );
    // the scratch schema is gone afterwards
    expect(
      (await pool.query(`SELECT count(*)::int AS n FROM pg_namespace WHERE nspname = 'bench_copy'`)).rows[0]
        .n,
    ).toBe(0);
  });

  (timescaleAvailable ? it : it.skip)(
    'reads hypertables whole (their rows live in chunks, not in the parent)',
    async () => {
      const { rows: hypertables } = await pool.query<{ name: string }>(
        `SELECT hypertable_schema || '.' || hypertable_name AS name FROM timescaledb_information.hypertables WHERE hypertable_schema = 'airbnb' ORDER BY 1`,
      );
      expect(hypertables.map((h) => h.name)).toEqual(
        expect.arrayContaining(['airbnb.chart_query', 'airbnb.raw_responses']),
      );
      // what the old ceiling read: the parent alone holds none of a hypertable's rows
      expect((await pool.query(`SELECT count(*)::int AS n FROM ONLY airbnb.chart_query`)).rows[0].n).toBe(0);
      const ceiling = await runCopyCeiling(pool);
      expect(ceiling.tables.chart_query.rows).toBe(2 * FIXTURE_ROWS.chart_query);
      expect(ceiling.tables.raw_responses.rows).toBe(2 * FIXTURE_ROWS.raw_responses);
      expect(ceiling.rows).toBe(2 * FIXTURE_TOTAL);
    },
  );
});
