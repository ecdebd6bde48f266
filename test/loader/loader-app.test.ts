import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { rawEnvelopeKey, type DeadLetter } from '@staysync/contracts';
import type { AirbnbListingMetrics, AirbnbMetric } from '@staysync/source-airbnb';
import type { RawEnvelope } from '@staysync/core';
import { createTestDatabase, waitFor, type TestDatabase } from '@staysync/testing';
import { Partitioners, type KafkaMessage } from 'kafkajs';
import { Pool } from 'pg';
import request from 'supertest';
import { CapturedLogs } from '../admin/admin-app';
import { setUpKafka, type LoaderTestKafka } from './kafka-support';
import { loaderConfigOn, startLoader } from './loader-app';
import { chartEnvelope, fixtureEnvelopes, rowCounts, snapshot } from './support';

const FIXTURE_COUNTS = {
  'airbnb.listings': 7,
  'airbnb.chart_query': 28,
  'airbnb.chart_summary': 1,
  'airbnb.list_of_metrics': 1,
};

describe('loader app (PostgreSQL + broker)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let kafka: LoaderTestKafka;
  let app: INestApplication;
  let deadLetters: KafkaMessage[];
  let metrics: KafkaMessage[];
  let listingMetrics: KafkaMessage[];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    kafka = await setUpKafka();
    app = await startLoader(
      { ...loaderConfigOn(db.url, kafka.settings), publishedTopics: ['airbnb.metrics', 'airbnb.metrics.v2'] },
      new CapturedLogs(),
    );
    [deadLetters, metrics, listingMetrics] = await Promise.all([
      kafka.collect('dlq'),
      kafka.collect('airbnb.metrics'),
      kafka.collect('airbnb.metrics.v2'),
    ]);
  });

  afterAll(async () => {
    await app?.close();
    await kafka?.close();
    await pool?.end();
    await db?.drop();
  });

  const produce = (envelopes: RawEnvelope[]) =>
    kafka.producer.send(
      'raw.airbnb',
      envelopes.map((value) => ({ key: rawEnvelopeKey(value), value })),
    );

  it('loads produced envelopes and publishes the loaded metric rows', async () => {
    await produce(fixtureEnvelopes({ accountId: '2001' }));

    await waitFor(
      async () => JSON.stringify(await rowCounts(pool, '2001')) === JSON.stringify(FIXTURE_COUNTS),
      { what: 'fixture rows loaded' },
    );
    // 28 chart_query + 1 chart_summary + 1 list_of_metrics (listings are not metrics)
    const published = await waitFor(
      () => {
        const mine = metrics.filter((m) => m.key?.toString().startsWith('2001:'));
        return mine.length >= 30 && mine;
      },
      { what: 'metric messages' },
    );
    const values = published.map((m) => JSON.parse(m.value!.toString()) as AirbnbMetric);
    // at least once: count distinct rows, not messages
    expect(new Set(values.map((v) => `${v.table}:${v.date}`)).size).toBe(30);
    expect(values[0]).toMatchObject({
      schemaVersion: 1,
      accountId: '2001',
      listingId: '745515258634591476',
      scrapeDate: '2025-07-16',
    });
    expect(published[0].key?.toString()).toBe(`2001:745515258634591476:${values[0].date}`);
    // each row as stored: every column, the ones this response did not carry included
    const chart = values.find((v) => v.table === 'chart_query' && v.date === '2025-01-12')!;
    const { rows } = await pool.query(
      `SELECT to_jsonb(c) AS row FROM airbnb.chart_query c WHERE account_id = '2001' AND metric_date = '2025-01-12'`,
    );
    expect(chart.row).toEqual(rows[0].row);
    expect(chart.row).toMatchObject({
      p3_impressions_your_value: 15,
      conversion_rate_your_value: null,
      time: '2025-07-16',
    });
  });

  it('publishes the same rows on airbnb.metrics.v2, one message per listing and table of a load', async () => {
    await produce(fixtureEnvelopes({ accountId: '2003' }));
    const key = '2003:745515258634591476';
    const published = await waitFor(
      () => {
        const mine = listingMetrics.filter((m) => m.key?.toString() === key);
        const values = mine.map((m) => JSON.parse(m.value!.toString()) as AirbnbListingMetrics);
        return values.flatMap((v) => v.rows).length >= 30 && values;
      },
      { what: 'airbnb.metrics.v2 messages' },
    );
    // every message is one listing's rows of one table: 28 chart days, 1 summary, 1 list of metrics
    expect(new Set(published.flatMap((v) => v.rows.map((r) => `${v.table}:${r.date}`))).size).toBe(30);
    expect(new Set(published.map((v) => v.table))).toEqual(
      new Set(['chart_query', 'chart_summary', 'list_of_metrics']),
    );
    for (const value of published)
      expect(value).toMatchObject({ schemaVersion: 2, accountId: '2003', listingId: '745515258634591476' });
    const chart = published
      .filter((v) => v.table === 'chart_query')
      .flatMap((v) => v.rows)
      .find((r) => r.date === '2025-01-12')!;
    const { rows } = await pool.query(
      `SELECT to_jsonb(c) AS row FROM airbnb.chart_query c WHERE account_id = '2003' AND metric_date = '2025-01-12'`,
    );
    expect(chart).toEqual({ scrapeDate: '2025-07-16', date: '2025-01-12', row: rows[0].row });
    // and v1 still carries each of them as its own message
    await waitFor(() => metrics.filter((m) => m.key?.toString().startsWith('2003:')).length >= 30, {
      what: 'airbnb.metrics.v1 messages',
    });
  });

  it('dead-letters an undecodable value and an unparseable envelope, and keeps loading', async () => {
    const raw = kafka.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await raw.connect();
    await raw.send({
      topic: kafka.name('raw.airbnb'),
      messages: [{ key: 'garbage-2002', value: Buffer.from('{not json') }],
    });
    await raw.disconnect();
    const unparseable = {
      ...chartEnvelope({ accountId: '2002' }),
      window: null,
      requestKey: '2002:unparseable',
    };
    await produce([unparseable]);
    await produce(fixtureEnvelopes({ accountId: '2002' }));

    await waitFor(
      async () => JSON.stringify(await rowCounts(pool, '2002')) === JSON.stringify(FIXTURE_COUNTS),
      { what: 'good envelopes loaded' },
    );
    const letters = await waitFor(
      () => {
        const mine = deadLetters
          .map((m) => JSON.parse(m.value!.toString()) as DeadLetter)
          .filter((l) => ['garbage-2002', '2002:unparseable'].includes(l.key ?? ''));
        return mine.length >= 2 && mine;
      },
      { what: 'two dead letters' },
    );
    const stages = Object.fromEntries(letters.map((l) => [l.key, l.stage]));
    expect(letters.find((l) => l.stage === 'parse')).toMatchObject({
      parserVersion: 1,
      consumerGroup: `${kafka.settings.topicPrefix}staysync-loader`,
    });
    expect(stages).toEqual({ 'garbage-2002': 'decode', '2002:unparseable': 'parse' });
  });

  it('a redelivered batch leaves identical rows', async () => {
    const envelopes = fixtureEnvelopes({ accountId: '2003' });
    await produce(envelopes);
    await waitFor(
      async () => JSON.stringify(await rowCounts(pool, '2003')) === JSON.stringify(FIXTURE_COUNTS),
      { what: 'first delivery loaded' },
    );
    const before = await snapshot(pool, '2003');
    const rawBefore = await pool.query(
      `SELECT xmin::text, request_key FROM airbnb.raw_responses WHERE account_id = '2003' ORDER BY request_key`,
    );

    await produce(envelopes);

    // the redelivery leaves no trace in the store (raw rows are never rewritten): wait for the loader's offsets instead
    await waitForLoaderOffsets(kafka);
    expect(await snapshot(pool, '2003')).toEqual(before);
    expect(
      (
        await pool.query(
          `SELECT xmin::text, request_key FROM airbnb.raw_responses WHERE account_id = '2003' ORDER BY request_key`,
        )
      ).rows,
    ).toEqual(rawBefore.rows);
  });

  it('answers /ready with the database and broker up, and exposes /metrics', async () => {
    const ready = await request(app.getHttpServer()).get('/ready').expect(200);
    expect(ready.body.checks).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' } });
    const exposed = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(exposed.text).toContain('loader_unknown_metrics_total');
  });

  it('finishes a job once every fetched response is loaded and advances the account watermark', async () => {
    const jobId = randomUUID();
    await pool.query(
      `INSERT INTO airbnb.accounts (account_id, airbnb_cookie, x_client_version, user_agent) VALUES ('2004', 'v1:k1:dummy', 'test', 'test')`,
    );
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, fetched, fetch_completed_at, started_at)
       VALUES ($1, 'airbnb', '2004', 'incremental', 'manual', 'running', 3, now(), now())`,
      [jobId],
    );

    await produce(fixtureEnvelopes({ accountId: '2004', jobId }));

    const job = await waitFor(
      async () => {
        const { rows } = await pool.query(`SELECT status, loaded FROM ops.sync_jobs WHERE id = $1`, [jobId]);
        return rows[0].status === 'succeeded' && rows[0];
      },
      { what: 'job succeeded' },
    );
    expect(job.loaded).toBe(3);
    const { rows } = await pool.query(`SELECT last_sync_at FROM airbnb.accounts WHERE account_id = '2004'`);
    expect(rows[0].last_sync_at).toBeInstanceOf(Date);
  });

  it('dead-letters a response the database refuses (stage load), loads the rest of its batch, and settles its job as failed', async () => {
    const jobId = randomUUID();
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, fetched, fetch_completed_at, started_at)
       VALUES ($1, 'airbnb', '2005', 'incremental', 'manual', 'running', 3, now(), now())`,
      [jobId],
    );
    const [listings, chart, list] = fixtureEnvelopes({ accountId: '2005', jobId });
    // a count beyond bigint: the parser takes it, PostgreSQL refuses it, and would on every redelivery
    const refused = JSON.parse(
      JSON.stringify(chart).replace(/"longValue":"\d+"/, '"longValue":"99999999999999999999"'),
    ) as RawEnvelope;
    expect(refused).not.toEqual(chart);

    await produce([listings, refused, list]);

    const letter = await waitFor(
      () => {
        const mine = deadLetters
          .map((m) => JSON.parse(m.value!.toString()) as DeadLetter)
          .find((l) => l.key === refused.requestKey);
        return mine;
      },
      { what: 'the refused response dead-lettered' },
    );
    expect(letter).toMatchObject({ stage: 'load', parserVersion: 1 });
    expect(letter.error.message).toMatch(/out of range/);
    // the job settles once all three are counted (the listings may commit on another lane after the letter)
    const job = await waitFor(
      async () => {
        const { rows } = await pool.query(
          `SELECT status, loaded, dead_lettered, error FROM ops.sync_jobs WHERE id = $1`,
          [jobId],
        );
        return rows[0].status !== 'running' && rows[0];
      },
      { what: 'the job settled' },
    );
    expect(job).toEqual({
      status: 'failed',
      loaded: 2,
      dead_lettered: 1,
      error: '1 response(s) could not be loaded and went to the dead-letter topic',
    });
    expect(await rowCounts(pool, '2005')).toEqual({
      ...FIXTURE_COUNTS,
      'airbnb.chart_query': 0,
      'airbnb.chart_summary': 0,
    });
    const { rows } = await pool.query(
      `SELECT request_key, stage FROM ops.dead_lettered_responses WHERE job_id = $1`,
      [jobId],
    );
    expect(rows).toEqual([{ request_key: refused.requestKey, stage: 'load' }]);
  });
});

/** Waits until the loader group has committed every raw.airbnb offset produced so far. */
async function waitForLoaderOffsets(kafka: LoaderTestKafka): Promise<void> {
  const admin = kafka.kafka.admin();
  await admin.connect();
  try {
    const topic = kafka.name('raw.airbnb');
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
    await waitFor(
      async () => {
        const [committed] = await admin.fetchOffsets({
          groupId: `${kafka.settings.topicPrefix}staysync-loader`,
          topics: [topic],
        });
        return committed.partitions.every(
          (p) => BigInt(Math.max(0, Number(p.offset))) >= (ends.get(p.partition) ?? 0n),
        );
      },
      { what: 'the loader committed every offset' },
    );
  } finally {
    await admin.disconnect();
  }
}
