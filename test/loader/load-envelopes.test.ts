import { randomUUID } from 'node:crypto';
import { PoisonMessageError, type RawEnvelope } from '@staysync/core';
import { createPipelineMetrics, keepValueBytes, loadEnvelopes } from '@staysync/pipeline';
import { createTestDatabase, type TestDatabase } from '@staysync/testing';
import { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { AIRBNB_FIXTURES, loadFixture } from '../../libs/sources/airbnb/fixtures/load';
import { chartEnvelope, chartRow, fixtureEnvelopes, LISTING_ID, rowCounts, snapshot } from './support';

describe('loader > loadEnvelopes (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('loads the recorded fixtures into every table, with the raw payloads and parser version', async () => {
    const envelopes = fixtureEnvelopes({ accountId: '1001' });

    const result = await loadEnvelopes(pool, envelopes);

    expect(result.responses).toBe(3);
    expect(result.poison).toEqual([]);
    expect(result.rows['airbnb.chart_query']).toEqual({ inserted: 28, updated: 0, unchanged: 0 });
    expect(result.rows['airbnb.chart_summary']).toEqual({ inserted: 1, updated: 0, unchanged: 0 });
    expect(await rowCounts(pool, '1001')).toEqual({
      'airbnb.listings': 7,
      'airbnb.chart_query': 28,
      'airbnb.chart_summary': 1,
      'airbnb.list_of_metrics': 1,
    });
    expect(await chartRow(pool, '1001', '2025-01-12')).toMatchObject({
      p3_impressions_your_value: 15,
      p3_impressions_similar_value: 6,
      time: '2025-07-16',
    });
    const { rows: raw } = await pool.query(
      `SELECT request_key, parser_version, parsed_at, body FROM airbnb.raw_responses WHERE account_id = '1001' ORDER BY request_key`,
    );
    expect(raw).toHaveLength(3);
    for (const row of raw) expect(row).toMatchObject({ parser_version: 1, parsed_at: expect.any(Date) });
    const chart = raw.find((r) => r.request_key === envelopes[1].requestKey);
    expect(chart.body).toEqual(loadFixture(AIRBNB_FIXTURES.chartP3Impressions));
  });

  it('stores bodies byte for byte through COPY: backslashes, tabs, newlines, quotes and non-ASCII text', async () => {
    const body = loadFixture(AIRBNB_FIXTURES.chartP3Impressions) as { extensions?: Record<string, unknown> };
    body.extensions = {
      note: 'tab\there\nnew line \\ backslash "quoted" \\N not null — ünïcødé 🏠',
      empty: '',
    };
    const envelope = chartEnvelope({ accountId: '1008' }, 'p3_impressions', body);

    await loadEnvelopes(pool, [envelope]);

    const { rows } = await pool.query(
      `SELECT body, variables FROM airbnb.raw_responses WHERE account_id = '1008'`,
    );
    expect(rows[0].body).toEqual(body);
    expect(rows[0].variables).toEqual(envelope.variables);
  });

  it("stores the producer's body text where the consumer kept the value's bytes, plain JSON or registry wire format", async () => {
    // a number with more digits than a double holds: only the producer's text keeps them all
    const precise = '0.12345678901234567890123';
    const [plain, wire] = ['1011', '1012'].map((accountId) => {
      const { body, ...head } = chartEnvelope({ accountId });
      // as the fetchers write it: the body last
      const text = JSON.stringify({ ...head, body }).replace(/}}$/, `,"precise":${precise}}}`);
      const json = Buffer.from(text);
      const bytes = accountId === '1011' ? json : Buffer.concat([Buffer.from([0, 0, 0, 0, 7]), json]);
      return keepValueBytes(JSON.parse(text) as RawEnvelope, bytes);
    });

    await loadEnvelopes(pool, [plain, wire]);

    const { rows } = await pool.query<{ account_id: string; precise: string; body: unknown }>(
      `SELECT account_id, body->>'precise' AS precise, body - 'precise' AS body
         FROM airbnb.raw_responses WHERE account_id IN ('1011', '1012') ORDER BY account_id`,
    );
    expect(rows).toEqual([
      { account_id: '1011', precise, body: loadFixture(AIRBNB_FIXTURES.chartP3Impressions) },
      { account_id: '1012', precise, body: loadFixture(AIRBNB_FIXTURES.chartP3Impressions) },
    ]);
  });

  it('stores the parsed body when the kept text is not one JSON value (a value with `body` twice)', async () => {
    const { body, ...head } = chartEnvelope({ accountId: '1013' });
    const text = `${JSON.stringify({ ...head, body: { first: true } }).slice(0, -1)},"body":${JSON.stringify(body)}}`;
    const twice = keepValueBytes(JSON.parse(text) as RawEnvelope, Buffer.from(text));
    const metrics = createPipelineMetrics(new Registry());
    const logged: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });

    const result = await loadEnvelopes(pool, [twice], { metrics, logger });

    expect(result.poison).toEqual([]);
    // counted and logged, with the server's code and message only (its detail quotes the body)
    expect((await metrics.rawTextFallbacks.get()).values).toEqual([
      expect.objectContaining({ labels: { source: 'airbnb' }, value: 1 }),
    ]);
    expect(logged).toEqual([
      expect.objectContaining({
        level: 40,
        source: 'airbnb',
        responses: 1,
        code: '22P02',
        error: 'invalid input syntax for type json',
      }),
    ]);
    const { rows } = await pool.query(`SELECT body FROM airbnb.raw_responses WHERE account_id = '1013'`);
    expect(rows).toEqual([{ body: loadFixture(AIRBNB_FIXTURES.chartP3Impressions) }]);
    expect(await rowCounts(pool, '1013')).toMatchObject({ 'airbnb.chart_query': 28 });
  });

  it('is idempotent: loading the same envelopes again leaves the same rows', async () => {
    const envelopes = fixtureEnvelopes({ accountId: '1002' });
    await loadEnvelopes(pool, envelopes);
    const before = await snapshot(pool, '1002');

    await loadEnvelopes(pool, envelopes);

    expect(await snapshot(pool, '1002')).toEqual(before);
    expect(await rowCounts(pool, '1002')).toEqual({
      'airbnb.listings': 7,
      'airbnb.chart_query': 28,
      'airbnb.chart_summary': 1,
      'airbnb.list_of_metrics': 1,
    });
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM airbnb.raw_responses WHERE account_id = '1002'`,
    );
    expect(rows[0].n).toBe(3);
  });

  it('a conversion_rate chart for the same listing and dates keeps the p3_impressions columns', async () => {
    await loadEnvelopes(pool, [chartEnvelope({ accountId: '1003' })]);

    await loadEnvelopes(pool, [chartEnvelope({ accountId: '1003' }, 'conversion_rate')]);

    expect(await chartRow(pool, '1003', '2025-01-12')).toMatchObject({
      p3_impressions_your_value: 15,
      p3_impressions_similar_value: 6,
      // the same recorded body, charted as conversion_rate
      conversion_rate_your_value: 15,
      conversion_rate_similar_value: 6,
    });
    expect((await rowCounts(pool, '1003'))['airbnb.chart_query']).toBe(28);
  });

  it('reports a poison envelope, keeps it in the raw store unparsed and loads the others', async () => {
    const [listings, chart, list] = fixtureEnvelopes({ accountId: '1004' });
    const broken = { ...chart, window: null, requestKey: `${chart.requestKey}:broken` };

    const result = await loadEnvelopes(pool, [listings, broken, list]);

    expect(result.poison).toEqual([{ index: 1, error: expect.any(PoisonMessageError), parserVersion: 1 }]);
    expect(result.responses).toBe(2);
    expect(result.keptUnparsed).toBe(1);
    expect(await rowCounts(pool, '1004')).toEqual({
      'airbnb.listings': 7,
      'airbnb.chart_query': 0,
      'airbnb.chart_summary': 0,
      'airbnb.list_of_metrics': 1,
    });
    const { rows } = await pool.query(
      `SELECT request_key, parser_version, parsed_at IS NOT NULL AS parsed FROM airbnb.raw_responses WHERE account_id = '1004' ORDER BY parser_version NULLS FIRST, request_key`,
    );
    expect(rows).toEqual([
      { request_key: broken.requestKey, parser_version: null, parsed: false },
      ...[list.requestKey, listings.requestKey]
        .sort()
        .map((request_key) => ({ request_key, parser_version: 1, parsed: true })),
    ]);

    // a redelivery keeps nothing twice; a dry run and a replay (storeRaw false) keep nothing
    expect((await loadEnvelopes(pool, [broken])).keptUnparsed).toBe(0);
    expect(
      (await loadEnvelopes(pool, [{ ...broken, requestKey: `${broken.requestKey}:dry` }], { dryRun: true }))
        .keptUnparsed,
    ).toBe(0);
    expect(
      (
        await loadEnvelopes(pool, [{ ...broken, requestKey: `${broken.requestKey}:replay` }], {
          storeRaw: false,
          markParsed: true,
        })
      ).keptUnparsed,
    ).toBe(0);
    const { rows: stored } = await pool.query(
      `SELECT count(*)::int AS n FROM airbnb.raw_responses WHERE account_id = '1004'`,
    );
    expect(stored[0].n).toBe(3);
  });

  it('keeps no unparseable body of a hard-deleted account: it is refused like the parsed ones', async () => {
    await pool.query(`INSERT INTO ops.deleted_accounts (source, account_id) VALUES ('airbnb', '1010')`);
    const [listings, chart] = fixtureEnvelopes({ accountId: '1010' });
    const broken = { ...chart, window: null };

    const result = await loadEnvelopes(pool, [listings, broken]);

    expect(result.poison).toHaveLength(1);
    expect(result.keptUnparsed).toBe(0);
    expect(result.refused.map((e) => e.requestKey).sort()).toEqual(
      [listings.requestKey, broken.requestKey].sort(),
    );
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM airbnb.raw_responses WHERE account_id = '1010'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it("counts a job's data responses and rows while it runs; replays leave a finished job's counts alone", async () => {
    const jobId = randomUUID();
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, fetched, started_at) VALUES ($1, 'airbnb', '1009', 'backfill', 'manual', 'running', 3, now())`,
      [jobId],
    );
    const counts = async () =>
      (
        await pool.query(`SELECT loaded, data_responses, data_rows::int FROM ops.sync_jobs WHERE id = $1`, [
          jobId,
        ])
      ).rows[0];
    const envelopes = fixtureEnvelopes({ accountId: '1009', jobId });

    await loadEnvelopes(pool, envelopes);
    // listings are no data operation; chart 28 + 1 summary rows, list of metrics 1 row
    expect(await counts()).toEqual({ loaded: 3, data_responses: 2, data_rows: 30 });

    await pool.query(`UPDATE ops.sync_jobs SET status = 'succeeded', finished_at = now() WHERE id = $1`, [
      jobId,
    ]);
    await loadEnvelopes(pool, envelopes, { storeRaw: false, markParsed: true });
    // a topic replay of records the store already holds, and of the same requests fetched again
    await loadEnvelopes(pool, envelopes);
    await loadEnvelopes(
      pool,
      envelopes.map((e) => ({ ...e, fetchedAt: '2031-01-01T00:00:00.000Z' })),
    );
    expect(await counts()).toEqual({ loaded: 3, data_responses: 2, data_rows: 30 });
  });

  it("counts a job's responses once each: a redelivery or a re-fetch under the same request key adds nothing", async () => {
    const jobId = randomUUID();
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, fetched, started_at) VALUES ($1, 'airbnb', '1006', 'backfill', 'manual', 'running', 3, now())`,
      [jobId],
    );
    const envelopes = fixtureEnvelopes({ accountId: '1006', jobId });
    const loaded = async () =>
      (await pool.query<{ loaded: number }>(`SELECT loaded FROM ops.sync_jobs WHERE id = $1`, [jobId]))
        .rows[0].loaded;

    await loadEnvelopes(pool, envelopes.slice(0, 2));
    expect(await loaded()).toBe(2);
    // the same two again, and the first fetched a second time (same request key, later fetchedAt) with the third
    const refetched = {
      ...envelopes[0],
      fetchedAt: new Date(Date.parse(envelopes[0].fetchedAt) + 60_000).toISOString(),
    };
    await loadEnvelopes(pool, envelopes.slice(0, 2));
    await loadEnvelopes(pool, [refetched, envelopes[2]]);

    expect(await loaded()).toBe(3);
    expect(
      (await pool.query(`SELECT count(*)::int AS n FROM airbnb.raw_responses WHERE job_id = $1`, [jobId]))
        .rows[0].n,
    ).toBe(4);

    // a new job fetching one request twice (two fetchedAt) in one batch: both stored, counted once
    const secondJob = randomUUID();
    await pool.query(`UPDATE ops.sync_jobs SET status = 'succeeded' WHERE id = $1`, [jobId]);
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, fetched, started_at) VALUES ($1, 'airbnb', '1006', 'incremental', 'manual', 'running', 2, now())`,
      [secondJob],
    );
    const [first] = fixtureEnvelopes({
      accountId: '1006',
      jobId: secondJob,
      fetchedAt: '2031-01-01T00:00:00.000Z',
    });
    await loadEnvelopes(pool, [first, { ...first, fetchedAt: '2031-01-01T00:01:00.000Z' }]);
    expect(
      (await pool.query(`SELECT loaded FROM ops.sync_jobs WHERE id = $1`, [secondJob])).rows[0].loaded,
    ).toBe(1);
  });

  it('finishes a job only on a recount from the raw store, not on a counter that ran ahead', async () => {
    const jobId = randomUUID();
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, fetched, loaded, fetch_completed_at, started_at)
       VALUES ($1, 'airbnb', '1007', 'backfill', 'manual', 'running', 3, 2, now(), now())`,
      [jobId],
    );
    const job = async () =>
      (
        await pool.query<{ status: string; loaded: number }>(
          `SELECT status, loaded FROM ops.sync_jobs WHERE id = $1`,
          [jobId],
        )
      ).rows[0];
    const [listings, chart, list] = fixtureEnvelopes({ accountId: '1007', jobId });

    // the counter says 2 + 1 = 3 = fetched, but only one response is stored
    await loadEnvelopes(pool, [listings]);
    expect(await job()).toEqual({ status: 'running', loaded: 1 });

    await loadEnvelopes(pool, [chart, list]);
    expect(await job()).toEqual({ status: 'succeeded', loaded: 3 });
  });

  it('a dry run writes nothing and reports rows added, changed and unchanged', async () => {
    const envelopes = fixtureEnvelopes({ accountId: '1005' });
    const firstLook = await loadEnvelopes(pool, envelopes, { dryRun: true });
    expect(firstLook.rows['airbnb.chart_query']).toEqual({ inserted: 28, updated: 0, unchanged: 0 });
    expect(await rowCounts(pool, '1005')).toEqual({
      'airbnb.listings': 0,
      'airbnb.chart_query': 0,
      'airbnb.chart_summary': 0,
      'airbnb.list_of_metrics': 0,
    });
    expect(
      (await pool.query(`SELECT count(*)::int AS n FROM airbnb.raw_responses WHERE account_id = '1005'`))
        .rows[0].n,
    ).toBe(0);

    await loadEnvelopes(pool, envelopes);
    const before = await snapshot(pool, '1005');
    // one data point changed upstream: the listing's own page views on 2025-01-15, 15 → 16
    const changedBody = loadFixture(AIRBNB_FIXTURES.chartP3Impressions);
    const point =
      changedBody.data.porygon.getPerformanceComponents.components[0].metricLineCharts[0].dataPoints[3];
    expect(point).toMatchObject({ ds: '2025-01-15', value: { longValue: '15' }, valueString: '15' });
    point.value.longValue = '16';
    point.valueString = '16';
    const secondLook = await loadEnvelopes(
      pool,
      [chartEnvelope({ accountId: '1005' }, 'p3_impressions', changedBody)],
      { dryRun: true },
    );

    expect(await snapshot(pool, '1005')).toEqual(before);
    expect(secondLook.rows['airbnb.chart_query']).toEqual({ inserted: 0, updated: 1, unchanged: 27 });
    expect(secondLook.samples['airbnb.chart_query']).toEqual([
      {
        key: {
          account_id: '1005',
          time: '2025-07-16',
          airbnb_listing_id: LISTING_ID,
          metric_date: '2025-01-15',
        },
        changes: {
          p3_impressions_your_value: { old: 15, new: 16 },
          p3_impressions_your_value_string: { old: '15', new: '16' },
        },
      },
    ]);
    expect(secondLook.rows['airbnb.chart_summary']).toEqual({ inserted: 0, updated: 0, unchanged: 1 });
  });
});
