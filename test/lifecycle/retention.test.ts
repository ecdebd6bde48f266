import { randomUUID } from 'node:crypto';
import { loadRetentionConfig } from '@staysync/config';
import { createTestDatabase, type TestDatabase } from '@staysync/testing';
import { Pool } from 'pg';
import { runRetention } from '../../apps/admin/src/retention/retention';

/**
 * The retention pass on plain PostgreSQL (TimescaleDB is not installed here; its branch, the
 * add_retention_policy calls, runs only where hypertables exist): per data set, rows older than its
 * setting go in bounded batches, younger rows and unfinished work stay, "keep" data sets are untouched.
 */
describe('lifecycle > retention (plain PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const ago = (days: number) => new Date(Date.now() - days * 86_400_000);

  async function seed(): Promise<void> {
    // raw store: 5 responses 401 days old, 2 from yesterday
    for (const [i, age] of [401, 401, 401, 401, 401, 1, 1].entries()) {
      await pool.query(
        `INSERT INTO airbnb.raw_responses (request_key, fetched_at, account_id, operation, scrape_date, http_status, parser_version)
         VALUES ($1, $2::timestamptz, '42', 'ChartQuery', ($2::timestamptz)::date, 200, 1)`,
        [`key-${i}`, ago(age)],
      );
    }
    await pool.query(
      `INSERT INTO airbnb.response_parses (request_key, fetched_at, account_id, parser_version) SELECT request_key, fetched_at, account_id, 2 FROM airbnb.raw_responses`,
    );
    // metrics a year old: kept by default
    await pool.query(
      `INSERT INTO airbnb.chart_query (account_id, time, airbnb_listing_id, metric_date) VALUES ('42', ($1::timestamptz)::date, 'l1', ($1::timestamptz)::date)`,
      [ago(500)],
    );
    // jobs: finished 91 days ago (x2), finished yesterday, and one still running since long ago
    for (const [status, finishedDaysAgo, account] of [
      ['succeeded', 91, '1'],
      ['failed', 91, '2'],
      ['succeeded', 1, '3'],
      ['running', null, '4'],
    ] as const) {
      await pool.query(
        `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, created_at, finished_at) VALUES ($1, 'airbnb', $2, 'backfill', 'manual', $3, $4, $5)`,
        [randomUUID(), account, status, ago(200), finishedDaysAgo === null ? null : ago(finishedDaysAgo)],
      );
    }
    await pool.query(
      `INSERT INTO ops.replays (id, source, origin, range_from, range_to, status, finished_at) VALUES ($1, 'airbnb', 'store', now(), now(), 'succeeded', $2)`,
      [randomUUID(), ago(100)],
    );
    // outbox: sent 8 days ago (x3), sent today, never sent (old)
    for (const published of [ago(8), ago(8), ago(8), ago(0), null]) {
      await pool.query(
        `INSERT INTO ops.outbox (topic, message_key, value, created_at, published_at) VALUES ('sync.events', 'k', '{}', $1, $2)`,
        [ago(30), published],
      );
    }
    await pool.query(
      `INSERT INTO ops.dead_lettered_responses (job_id, request_key, stage, reason, created_at) VALUES ($1, 'k', 'parse', 'bad', $2), ($3, 'k', 'parse', 'bad', $4)`,
      [randomUUID(), ago(91), randomUUID(), ago(10)],
    );
  }

  const count = async (table: string) =>
    (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;

  it('a dry run counts per data set what would go and deletes nothing; the pass deletes exactly that, in bounded batches', async () => {
    await seed();
    const config = { ...loadRetentionConfig({}), batchRows: 2 };
    expect(config.days).toEqual({ raw: 400, metrics: 0, hostaway: 0, jobs: 90, outbox: 7, deadLetters: 90 });

    const dryRun = await runRetention(pool, config, { dryRun: true });
    const rows = Object.fromEntries(dryRun.map((o) => [o.table, o.rows]));
    expect(rows).toEqual({
      'airbnb.raw_responses': 5,
      'airbnb.response_parses': 5,
      'hostaway.raw_responses': 0,
      'hostaway.response_parses': 0,
      'airbnb.chart_query': 0,
      'airbnb.list_of_metrics': 0,
      'airbnb.chart_summary': 0,
      'hostaway.listings': 0,
      'hostaway.reservations': 0,
      'hostaway.messages': 0,
      'ops.sync_jobs': 2,
      'ops.replays': 1,
      'ops.outbox': 3,
      'ops.dead_lettered_responses': 1,
    });
    expect(dryRun.find((o) => o.table === 'airbnb.chart_query')).toMatchObject({
      mode: 'kept',
      days: 0,
      chunks: null,
    });
    expect(dryRun.find((o) => o.table === 'airbnb.raw_responses')).toMatchObject({
      mode: 'batches',
      days: 400,
    });
    expect(await count('airbnb.raw_responses')).toBe(7);

    const statements: string[] = [];
    const query = pool.query.bind(pool);
    const spy = jest.spyOn(pool, 'query').mockImplementation(((text: string, values?: unknown[]) => {
      statements.push(text);
      return query(text, values);
    }) as never);
    const pass = await runRetention(pool, config, { dryRun: false });
    spy.mockRestore();

    expect(pass.map((o) => [o.table, o.rows])).toEqual(dryRun.map((o) => [o.table, o.rows]));
    // 5 old raw rows at 2 per DELETE: 3 statements
    expect(statements.filter((s) => s.startsWith('DELETE FROM airbnb.raw_responses'))).toHaveLength(3);
    expect(await count('airbnb.raw_responses')).toBe(2);
    expect(await count('airbnb.response_parses')).toBe(2);
    expect(await count('airbnb.chart_query')).toBe(1);
    expect((await pool.query(`SELECT status FROM ops.sync_jobs ORDER BY account_id`)).rows).toEqual([
      { status: 'succeeded' },
      { status: 'running' },
    ]);
    expect(await count('ops.replays')).toBe(0);
    // (the job trigger's unsent sync.events rows, keyed by job id, stay too)
    expect(
      (
        await pool.query(
          `SELECT published_at IS NULL AS unsent FROM ops.outbox WHERE message_key = 'k' ORDER BY 1`,
        )
      ).rows,
    ).toEqual([{ unsent: false }, { unsent: true }]);
    expect(await count('ops.dead_lettered_responses')).toBe(1);

    // a second pass finds nothing
    expect((await runRetention(pool, config, { dryRun: false })).every((o) => o.rows === 0)).toBe(true);
  });

  it('the TimescaleDB retention policies where the extension is installed', async () => {
    const { rows } = await pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
    if (rows.length === 0) {
      process.stdout.write(
        'skipped: TimescaleDB is not installed on this server (add_retention_policy is tested where it is)\n',
      );
      return;
    }
    await runRetention(pool, { ...loadRetentionConfig({}), batchRows: 100 }, { dryRun: false });
    const { rows: jobs } = await pool.query(
      `SELECT hypertable_schema || '.' || hypertable_name AS name, config->>'drop_after' AS drop_after FROM timescaledb_information.jobs WHERE proc_name = 'policy_retention' ORDER BY 1`,
    );
    expect(jobs).toEqual([
      { name: 'airbnb.raw_responses', drop_after: '400 days' },
      { name: 'hostaway.raw_responses', drop_after: '400 days' },
    ]);
  });
});
