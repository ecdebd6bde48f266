import type { LoaderConfig } from '@staysync/config';
import type { RawEnvelope } from '@staysync/core';
import type { DecodedMessage, KafkaProducerService } from '@staysync/kafka';
import { createTestDatabase, type TestDatabase } from '@staysync/testing';
import { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { LoaderService } from '../../apps/loader/src/loader.service';
import type { RawTopicId } from '@staysync/contracts';
import { AIRBNB_FIXTURES, loadFixture } from '../../libs/sources/airbnb/fixtures/load';
import { chartEnvelope } from './support';

/**
 * The loader writes through two lanes (two transactions in flight). Batches of one partition must
 * still commit in offset order, or an older response could overwrite a newer one (merge-present keeps
 * the last write).
 */
describe('loader > write lanes (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let loader: LoaderService;
  let offset = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 6 });
    const noProducer = { send: async () => [] } as unknown as KafkaProducerService;
    loader = new LoaderService(
      pool,
      { publishedTopics: [] } as Partial<LoaderConfig> as LoaderConfig,
      pino({ level: 'silent' }),
      new Registry(),
      noProducer,
    );
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const batch = (partition: number, envelopes: RawEnvelope[]): DecodedMessage<RawTopicId>[] =>
    envelopes.map((value) => ({
      topicId: 'raw.airbnb',
      topic: 'raw.airbnb.v1',
      partition,
      offset: String(offset++),
      key: value.requestKey,
      value,
      valueBytes: Buffer.from(JSON.stringify(value)),
      headers: {},
      timestamp: String(Date.now()),
    }));

  it("commits a partition's batches in offset order while the other lane writes: the later fetch wins", async () => {
    const later = loadFixture(AIRBNB_FIXTURES.chartP3Impressions);
    later.data.porygon.getPerformanceComponents.components[0].metricLineCharts[0].dataPoints[0].value.longValue =
      '999';
    const first = chartEnvelope({ accountId: '7001', fetchedAt: '2031-01-01T08:00:00.000Z' });
    const refetched = chartEnvelope(
      { accountId: '7001', fetchedAt: '2031-01-01T20:00:00.000Z' },
      'p3_impressions',
      later,
    );
    const fillers = Array.from({ length: 300 }, (_, i) =>
      chartEnvelope({ accountId: `71${i}`, fetchedAt: '2031-01-01T08:00:00.000Z' }),
    );

    // a small batch of another partition keeps one transaction busy, then partition 0's batches follow:
    // a large one with the first fetch, then a small one with the later fetch of the same request
    const other = loader.handleRawBatch(
      batch(1, [chartEnvelope({ accountId: '7002', fetchedAt: '2031-01-01T07:00:00.000Z' })]),
    );
    const large = loader.handleRawBatch(batch(0, [first, ...fillers]));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const small = loader.handleRawBatch(batch(0, [refetched]));
    await Promise.all([other, large, small]);

    const { rows } = await pool.query(
      `SELECT p3_impressions_your_value::int AS v FROM airbnb.chart_query WHERE account_id = '7001' AND metric_date = '2025-01-12'`,
    );
    expect(rows).toEqual([{ v: 999 }]);
  });
});
