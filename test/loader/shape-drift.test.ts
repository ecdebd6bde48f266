import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { rawEnvelopeKey, type DeadLetter } from '@staysync/contracts';
import { isJsonObject, type Parser, type RawEnvelope } from '@staysync/core';
import { zeroRowsWarning } from '@staysync/db';
import { METRICS_REGISTRY } from '@staysync/observability';
import { loadEnvelopes, replayFromStore } from '@staysync/pipeline';
import { parserV1 } from '@staysync/source-airbnb';
import { createTestDatabase, waitFor, type TestDatabase } from '@staysync/testing';
import type { KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';
import type { Registry } from 'prom-client';
import request from 'supertest';
import { JobStore } from '../../apps/fetcher/src/job-store';
import { AIRBNB_FIXTURES, loadFixture } from '../../libs/sources/airbnb/fixtures/load';
import { listBody } from '../../libs/sources/hostaway/src/__fixtures__/examples';
import { adminTestConfig, CapturedLogs, startAdmin, TEST_API_KEY } from '../admin/admin-app';
import { setUpKafka, type LoaderTestKafka } from './kafka-support';
import { loaderConfigOn, startLoader } from './loader-app';
import { chartEnvelope, listingsEnvelope, listOfMetricsEnvelope, rowCounts } from './support';

type Body = Record<string, unknown>;
/** request keys in code point order, as ORDER BY … COLLATE "C" */
const byKey = (a: { request_key: string }, b: { request_key: string }) =>
  a.request_key < b.request_key ? -1 : 1;
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const porygon = (body: Body) => (body.data as Body).porygon as Body;

/** Airbnb renamed the field the components hang from (the drift the parser must not read as "no data"). */
function renamedResponseField(body: Body): Body {
  const drifted = clone(body);
  const p = porygon(drifted);
  p.getPerformanceComponentsV2 = p.getPerformanceComponents;
  delete p.getPerformanceComponents;
  return drifted;
}

/** The response the way Airbnb answers "nothing here": an explicitly empty component list. */
function emptyComponents(body: Body): Body {
  const empty = clone(body);
  (porygon(empty).getPerformanceComponents as Body).components = [];
  return empty;
}

const CHART_BODY = loadFixture(AIRBNB_FIXTURES.chartP3Impressions) as Body;
const LIST_BODY = loadFixture(AIRBNB_FIXTURES.listOfMetricsConversionRate) as Body;

/** Parser v2, the fix after the rename: reads the new field name, then parses as v1 did. */
const parserV2: Parser = {
  version: 2,
  parse(envelope) {
    const body = envelope.body;
    if (
      !isJsonObject(body) ||
      !isJsonObject(body.data) ||
      !isJsonObject(body.data.porygon) ||
      !('getPerformanceComponentsV2' in body.data.porygon)
    )
      return parserV1.parse(envelope);
    const { getPerformanceComponentsV2, ...rest } = body.data.porygon;
    return parserV1.parse({
      ...envelope,
      body: {
        ...body,
        data: { ...body.data, porygon: { ...rest, getPerformanceComponents: getPerformanceComponentsV2 } },
      },
    });
  },
};

function hostawayEnvelope(jobId: string, operation: string, offset: number, body: unknown): RawEnvelope {
  return {
    schemaVersion: 1,
    jobId,
    source: 'hostaway',
    accountId: '40004',
    operation,
    resourceId: null,
    requestKey: `hostaway:40004:2025-07-16:${operation}:-:${offset}`,
    variables: { limit: 100, offset },
    window: null,
    scrapeDate: '2025-07-16',
    fetchedAt: '2025-07-16T05:00:00.000Z',
    httpStatus: 200,
    body,
  };
}

describe('shape drift and dead letters (PostgreSQL + broker, loader and admin apps)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let kafka: LoaderTestKafka;
  let loader: INestApplication;
  let admin: NestExpressApplication;
  let registry: Registry;
  const logs = new CapturedLogs();
  let deadLetters: KafkaMessage[];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    kafka = await setUpKafka();
    loader = await startLoader(loaderConfigOn(db.url, kafka.settings), logs);
    registry = loader.get<Registry>(METRICS_REGISTRY);
    ({ app: admin } = await startAdmin(
      adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: kafka.settings.topicPrefix }),
    ));
    deadLetters = await kafka.collect('dlq');
  });

  afterAll(async () => {
    await admin?.close();
    await loader?.close();
    await kafka?.close();
    await pool?.end();
    await db?.drop();
  });

  const produce = (topic: 'raw.airbnb' | 'raw.hostaway', envelopes: RawEnvelope[]) =>
    kafka.producer.send(
      topic,
      envelopes.map((value) => ({ key: rawEnvelopeKey(value), value })),
    );

  async function runningJob(
    source: string,
    accountId: string,
    fetched: number,
    id = randomUUID(),
  ): Promise<string> {
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, fetched, fetch_completed_at, started_at)
       VALUES ($1, $2, $3, 'incremental', 'manual', 'running', $4, now(), now())`,
      [id, source, accountId, fetched],
    );
    return id;
  }

  const settled = (jobId: string) =>
    waitFor(
      async () => {
        const { rows } = await pool.query(
          `SELECT status, loaded, dead_lettered, data_responses, data_rows::int, error, notes FROM ops.sync_jobs WHERE id = $1`,
          [jobId],
        );
        return rows[0].status !== 'running' && rows[0];
      },
      { what: `job ${jobId} settled` },
    );

  const lettersFor = (keys: string[]) =>
    waitFor(
      () => {
        const mine = deadLetters
          .map((m) => JSON.parse(m.value!.toString()) as DeadLetter)
          .filter((l) => keys.includes(l.key ?? ''));
        return mine.length >= keys.length && mine;
      },
      { what: `${keys.length} dead letters` },
    );

  const deadLetterRows = async (jobId: string) =>
    (
      await pool.query(
        `SELECT request_key, stage, reason, parser_version FROM ops.dead_lettered_responses WHERE job_id = $1 ORDER BY request_key COLLATE "C"`,
        [jobId],
      )
    ).rows;

  async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
    const metric = registry.getSingleMetric(name);
    if (!metric) throw new Error(`no metric ${name}`);
    const { values } = await metric.get();
    const match = values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value));
    return match?.value ?? 0;
  }

  it('dead-letters drifted Airbnb bodies at stage parse with the missing path, keeps them raw, and a replay with the fixed parser loads them', async () => {
    const jobId = await runningJob('airbnb', '4001', 3);
    const options = { accountId: '4001', jobId };
    const listings = listingsEnvelope(options);
    const renamed = chartEnvelope(options, 'p3_impressions', renamedResponseField(CHART_BODY));
    const noComponents = {
      ...listOfMetricsEnvelope(options),
      body: {
        data: {
          porygon: { getPerformanceComponents: { __typename: 'PorygonPerformanceComponentsResponse' } },
        },
      },
    };

    await produce('raw.airbnb', [listings, renamed, noComponents]);

    const letters = await lettersFor([renamed.requestKey, noComponents.requestKey]);
    expect(letters.map((l) => [l.key, l.stage, l.error.message]).sort()).toEqual(
      [
        [
          renamed.requestKey,
          'parse',
          'malformed Airbnb response: data.porygon.getPerformanceComponents is missing',
        ],
        [
          noComponents.requestKey,
          'parse',
          'malformed Airbnb response: data.porygon.getPerformanceComponents.components is missing',
        ],
      ].sort(),
    );
    expect(await settled(jobId)).toEqual({
      status: 'failed',
      loaded: 1,
      dead_lettered: 2,
      // the drifted responses never parsed: no data response, so no zero-row warning on top
      data_responses: 0,
      data_rows: 0,
      error: '2 response(s) could not be loaded and went to the dead-letter topic',
      notes: [],
    });
    expect(await deadLetterRows(jobId)).toEqual(
      [
        {
          request_key: renamed.requestKey,
          stage: 'parse',
          reason: 'malformed Airbnb response: data.porygon.getPerformanceComponents is missing',
          parser_version: 1,
        },
        {
          request_key: noComponents.requestKey,
          stage: 'parse',
          reason: 'malformed Airbnb response: data.porygon.getPerformanceComponents.components is missing',
          parser_version: 1,
        },
      ].sort(byKey),
    );
    const raw = async () =>
      (
        await pool.query(
          `SELECT request_key, parser_version FROM airbnb.response_parser_versions WHERE account_id = '4001' ORDER BY request_key COLLATE "C"`,
        )
      ).rows;
    expect(await raw()).toEqual(
      [
        { request_key: listings.requestKey, parser_version: 1 },
        { request_key: renamed.requestKey, parser_version: null },
        { request_key: noComponents.requestKey, parser_version: null },
      ].sort(byKey),
    );
    expect(await rowCounts(pool, '4001')).toEqual({
      'airbnb.listings': 7,
      'airbnb.chart_query': 0,
      'airbnb.chart_summary': 0,
      'airbnb.list_of_metrics': 0,
    });

    // the parser is fixed for the renamed field (v2); the response without components stays poison
    const report = await replayFromStore({
      pool,
      source: 'airbnb',
      from: new Date('2025-07-16T00:00:00Z'),
      to: new Date('2025-07-17T00:00:00Z'),
      accountId: '4001',
      dryRun: false,
      parserFor: () => parserV2,
    });

    expect(report.responses).toBe(2);
    expect(report.poison).toHaveLength(1);
    expect(await rowCounts(pool, '4001')).toEqual({
      'airbnb.listings': 7,
      'airbnb.chart_query': 28,
      'airbnb.chart_summary': 1,
      'airbnb.list_of_metrics': 0,
    });
    expect(await raw()).toEqual(
      [
        { request_key: listings.requestKey, parser_version: 2 },
        { request_key: renamed.requestKey, parser_version: 2 },
        { request_key: noComponents.requestKey, parser_version: null },
      ].sort(byKey),
    );
  });

  it('explicitly empty components give zero rows: the job succeeds with the zero-row warning (job API) and the metric counts it', async () => {
    const before = await metricValue('staysync_jobs_zero_rows_total', { source: 'airbnb' });
    const emptyJob = await runningJob('airbnb', '4002', 3);
    const healthyJob = await runningJob('airbnb', '4003', 3);
    const empty = { accountId: '4002', jobId: emptyJob };
    const healthy = { accountId: '4003', jobId: healthyJob };

    await produce('raw.airbnb', [
      listingsEnvelope(empty),
      chartEnvelope(empty, 'p3_impressions', emptyComponents(CHART_BODY)),
      { ...listOfMetricsEnvelope(empty), body: emptyComponents(LIST_BODY) },
      listingsEnvelope(healthy),
      chartEnvelope(healthy),
      listOfMetricsEnvelope(healthy),
    ]);

    expect(await settled(emptyJob)).toEqual({
      status: 'succeeded',
      loaded: 3,
      dead_lettered: 0,
      data_responses: 2,
      data_rows: 0,
      error: null,
      notes: [zeroRowsWarning(2)],
    });
    expect(zeroRowsWarning(2)).toBe(
      'warning: all 2 data response(s) parsed to zero rows: check for a changed upstream response shape (runbook: zero-row warning)',
    );
    expect(await settled(healthyJob)).toEqual({
      status: 'succeeded',
      loaded: 3,
      dead_lettered: 0,
      data_responses: 2,
      data_rows: 30,
      error: null,
      notes: [],
    });
    expect(await rowCounts(pool, '4002')).toEqual({
      'airbnb.listings': 7,
      'airbnb.chart_query': 0,
      'airbnb.chart_summary': 0,
      'airbnb.list_of_metrics': 0,
    });
    expect(await metricValue('staysync_jobs_zero_rows_total', { source: 'airbnb' })).toBe(before + 1);

    const { body } = await request(admin.getHttpServer())
      .get(`/api/v1/jobs/${emptyJob}`)
      .set('X-API-Key', TEST_API_KEY)
      .expect(200);
    expect(body).toMatchObject({ status: 'succeeded', notes: [zeroRowsWarning(2)] });
    expect(body.counts).toEqual({
      planned: 0,
      fetched: 3,
      loaded: 3,
      failed: 0,
      dead_lettered: 0,
      data_responses: 2,
      data_rows: 0,
    });
    const healthyView = await request(admin.getHttpServer())
      .get(`/api/v1/jobs/${healthyJob}`)
      .set('X-API-Key', TEST_API_KEY)
      .expect(200);
    expect(healthyView.body).toMatchObject({ notes: [], counts: { data_responses: 2, data_rows: 30 } });
  });

  it('Hostaway: a page without result is dead-lettered and kept raw, an empty result gives zero rows and the warning', async () => {
    const jobId = await runningJob('hostaway', '40004', 3);
    const noResult = hostawayEnvelope(jobId, 'listings', 0, { status: 'success', count: 0 });
    const emptyListings = hostawayEnvelope(jobId, 'listings', 100, listBody([]));
    const emptyReservations = hostawayEnvelope(jobId, 'reservations', 0, listBody([]));

    await produce('raw.hostaway', [noResult, emptyListings, emptyReservations]);

    const [letter] = await lettersFor([noResult.requestKey]);
    expect(letter).toMatchObject({
      stage: 'parse',
      parserVersion: 1,
      error: { message: 'invalid Hostaway envelope: body.result is missing' },
    });
    expect(await settled(jobId)).toEqual({
      status: 'failed',
      loaded: 2,
      dead_lettered: 1,
      data_responses: 2,
      data_rows: 0,
      error: '1 response(s) could not be loaded and went to the dead-letter topic',
      notes: [zeroRowsWarning(2)],
    });
    expect(
      (
        await pool.query(
          `SELECT request_key, parser_version FROM hostaway.raw_responses WHERE job_id = $1 ORDER BY request_key COLLATE "C"`,
          [jobId],
        )
      ).rows,
    ).toEqual(
      [
        { request_key: noResult.requestKey, parser_version: null },
        { request_key: emptyListings.requestKey, parser_version: 1 },
        { request_key: emptyReservations.requestKey, parser_version: 1 },
      ].sort(byKey),
    );
    expect(await metricValue('staysync_jobs_zero_rows_total', { source: 'hostaway' })).toBe(1);
  });

  it('a poison body the raw store refuses (account id too long for its column) is still dead-lettered at parse, only not kept', async () => {
    // the envelope's account id fits its schema (200 characters), not the raw store's varchar(32)
    const accountId = '4'.repeat(40);
    const jobId = await runningJob('airbnb', '4007', 1);
    const unkeepable = chartEnvelope(
      { accountId, jobId },
      'p3_impressions',
      renamedResponseField(CHART_BODY),
    );

    await produce('raw.airbnb', [unkeepable]);

    const [letter] = await lettersFor([unkeepable.requestKey]);
    expect(letter).toMatchObject({
      stage: 'parse',
      error: { message: 'malformed Airbnb response: data.porygon.getPerformanceComponents is missing' },
    });
    expect(await settled(jobId)).toMatchObject({ status: 'failed', loaded: 0, dead_lettered: 1 });
    expect(
      (await pool.query(`SELECT count(*)::int AS n FROM airbnb.raw_responses WHERE job_id = $1`, [jobId]))
        .rows[0].n,
    ).toBe(0);
    // one letter only: not a second one at stage load
    expect(deadLetters.filter((m) => m.key?.toString() === unkeepable.requestKey)).toHaveLength(1);
    expect(
      logs.lines.filter(
        (line) =>
          line.includes('the raw store refuses an unparseable response') &&
          line.includes(unkeepable.requestKey),
      ),
    ).toHaveLength(1);
  });

  it('the fetcher finishing a job (the loader was done first) adds the warning too', async () => {
    const jobId = randomUUID();
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, owner, lease_until, started_at)
       VALUES ($1, 'airbnb', '4006', 'incremental', 'manual', 'running', 'test-fetcher', now() + interval '1 minute', now())`,
      [jobId],
    );
    const options = { accountId: '4006', jobId };
    await loadEnvelopes(pool, [chartEnvelope(options, 'p3_impressions', emptyComponents(CHART_BODY))]);

    const snapshot = { planned: 1, fetched: 1, failed: 0, progress: {}, errors: [], notes: [] };
    const finished = await new JobStore(pool, { owner: 'test-fetcher', leaseMs: 60_000 }).completeFetch(
      jobId,
      snapshot,
      null,
    );

    expect(finished).toEqual([{ id: jobId, source: 'airbnb', status: 'succeeded', zeroRows: true }]);
    expect((await pool.query(`SELECT notes FROM ops.sync_jobs WHERE id = $1`, [jobId])).rows).toEqual([
      { notes: [zeroRowsWarning(1)] },
    ]);
  });

  it('records dead letters only against jobs that exist; the others are counted and logged once per job id', async () => {
    const existing = await runningJob('airbnb', '4005', 5);
    const [goneA, goneB] = [randomUUID(), randomUUID()];
    const poison = (jobId: string, n: number) => ({
      ...chartEnvelope({ accountId: '4005', jobId }),
      window: null,
      requestKey: `4005:poison:${jobId}:${n}`,
    });
    const before = await metricValue('loader_dead_letters_without_job_total', {
      source: 'airbnb',
      stage: 'parse',
    });
    const loggedFor = (jobId: string) =>
      logs.lines.filter(
        (line) => line.includes('dead letter of a job that does not exist') && line.includes(jobId),
      ).length;

    const first = [poison(goneA, 1), poison(goneA, 2), poison(goneB, 1), poison(existing, 1)];
    await produce('raw.airbnb', first);
    await lettersFor(first.map((e) => e.requestKey));
    const again = [poison(goneA, 3)];
    await produce('raw.airbnb', again);
    await lettersFor(again.map((e) => e.requestKey));

    expect(
      await metricValue('loader_dead_letters_without_job_total', { source: 'airbnb', stage: 'parse' }),
    ).toBe(before + 4);
    expect([loggedFor(goneA), loggedFor(goneB), loggedFor(existing)]).toEqual([1, 1, 0]);
    const { rows } = await pool.query(
      `SELECT job_id::text, count(*)::int AS n FROM ops.dead_lettered_responses WHERE job_id = ANY($1::uuid[]) GROUP BY 1`,
      [[existing, goneA, goneB]],
    );
    expect(rows).toEqual([{ job_id: existing, n: 1 }]);
    expect(
      (await pool.query(`SELECT dead_lettered FROM ops.sync_jobs WHERE id = $1`, [existing])).rows,
    ).toEqual([{ dead_lettered: 1 }]);
    // every unparseable body is kept for a replay, whichever job it names
    const kept = await pool.query(
      `SELECT count(*)::int AS n FROM airbnb.raw_responses WHERE account_id = '4005' AND parser_version IS NULL`,
    );
    expect(kept.rows[0].n).toBe(5);
  });
});
