import { randomUUID } from 'node:crypto';
import { rawEnvelopeKey } from '@staysync/contracts';
import type { Parser, RawEnvelope } from '@staysync/core';
import { loadEnvelopes, replayFromStore, replayFromTopic, type ReplayProgress } from '@staysync/pipeline';
import { parserV1 } from '@staysync/source-airbnb';
import { createTestDatabase, type TestDatabase } from '@staysync/testing';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { decorateConsumers, FAST_CONSUMER, testLogger } from '../kafka/support';
import { setUpKafka, type LoaderTestKafka } from '../loader/kafka-support';
import { chartRow, fixtureEnvelopes, rowCounts, snapshot } from '../loader/support';

const P3_VALUE_COLUMNS = ['p3_impressions_your_value', 'p3_impressions_similar_value'];

/** A "fixed" parser: version 2 reports p3 impressions ten times higher. */
const parserV2: Parser = {
  version: 2,
  parse(envelope) {
    const result = parserV1.parse(envelope);
    for (const row of result.rows['airbnb.chart_query'] ?? []) {
      for (const column of P3_VALUE_COLUMNS)
        if (typeof row[column] === 'number') row[column] = row[column] * 10;
    }
    return result;
  },
};
const useParserV2 = () => parserV2;

const RANGE = { from: new Date('2025-07-16T00:00:00Z'), to: new Date('2025-07-17T00:00:00Z') };

/** Every one of the fixture's 28 chart days has non-zero p3 impressions, so a v1 ↔ v2 re-parse changes each of them and nothing else. */
const EVERY_CHART_DAY_CHANGED = {
  'airbnb.listings': { added: 0, changed: 0, unchanged: 7 },
  'airbnb.chart_query': { added: 0, changed: 28, unchanged: 0 },
  'airbnb.chart_summary': { added: 0, changed: 0, unchanged: 1 },
  'airbnb.list_of_metrics': { added: 0, changed: 0, unchanged: 1 },
};

/**
 * The replay's Kafka client, which runs `beforeConnect` when the replay's consumer connects: after the
 * end offsets were captured (by the admin client), before a single message is read.
 */
function runningBeforeConsumerConnects(kafka: Kafka, beforeConnect: () => Promise<unknown>): Kafka {
  return decorateConsumers(kafka, (consumer) => {
    const connect = consumer.connect.bind(consumer);
    consumer.connect = async () => {
      await beforeConnect();
      await connect();
    };
  });
}

describe('replay (PostgreSQL + broker)', () => {
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

  async function createReplayRow(origin: 'store' | 'topic', dryRun: boolean): Promise<string> {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO ops.replays (id, source, origin, range_from, range_to, dry_run) VALUES ($1, 'airbnb', $2, $3, $4, $5)`,
      [id, origin, RANGE.from, RANGE.to, dryRun],
    );
    return id;
  }

  async function replayRow(id: string) {
    return (
      await pool.query(
        `SELECT status, processed, total, report, parser_version, rows_added, rows_changed, rows_unchanged, refused FROM ops.replays WHERE id = $1`,
        [id],
      )
    ).rows[0];
  }

  it('from the store: a dry run reports the changes and writes nothing; the replay applies them', async () => {
    await loadEnvelopes(pool, fixtureEnvelopes({ accountId: '3001' }));
    const before = await snapshot(pool, '3001');

    const dryRunId = await createReplayRow('store', true);
    const preview = await replayFromStore({
      pool,
      source: 'airbnb',
      ...RANGE,
      accountId: '3001',
      dryRun: true,
      parserFor: useParserV2,
      replayId: dryRunId,
    });

    expect(preview).toMatchObject({ origin: 'store', dryRun: true, responses: 3, poison: [] });
    expect(preview.rows).toEqual(EVERY_CHART_DAY_CHANGED);
    const sample = preview.samples['airbnb.chart_query'].find((s) => s.key.metric_date === '2025-01-12');
    expect(sample?.changes).toEqual({
      p3_impressions_your_value: { old: 15, new: 150 },
      p3_impressions_similar_value: { old: 6, new: 60 },
    });
    expect(await snapshot(pool, '3001')).toEqual(before);
    expect(
      (
        await pool.query(
          `SELECT DISTINCT parser_version FROM airbnb.response_parser_versions WHERE account_id = '3001'`,
        )
      ).rows,
    ).toEqual([{ parser_version: 1 }]);
    expect(await replayRow(dryRunId)).toMatchObject({
      status: 'succeeded',
      processed: 3,
      total: 3,
      report: { dryRun: true, responses: 3 },
    });

    // row versions of the raw store: a replay reads raw rows and never rewrites them
    const rawRowVersions = async () =>
      (
        await pool.query(
          `SELECT request_key, xmin::text FROM airbnb.raw_responses WHERE account_id = '3001' ORDER BY request_key`,
        )
      ).rows;
    const rawBefore = await rawRowVersions();
    const progress: ReplayProgress[] = [];
    const replayId = await createReplayRow('store', false);
    const report = await replayFromStore({
      pool,
      source: 'airbnb',
      ...RANGE,
      accountId: '3001',
      dryRun: false,
      parserFor: useParserV2,
      replayId,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
    });

    expect(report.rows).toEqual(EVERY_CHART_DAY_CHANGED);
    expect(progress).toEqual([
      { processed: 2, total: 3 },
      { processed: 3, total: 3 },
    ]);
    expect(await chartRow(pool, '3001', '2025-01-12')).toMatchObject({
      p3_impressions_your_value: 150,
      p3_impressions_similar_value: 60,
    });
    expect(await rowCounts(pool, '3001')).toEqual({
      'airbnb.listings': 7,
      'airbnb.chart_query': 28,
      'airbnb.chart_summary': 1,
      'airbnb.list_of_metrics': 1,
    });
    expect(
      (
        await pool.query(
          `SELECT DISTINCT parser_version FROM airbnb.response_parser_versions WHERE account_id = '3001'`,
        )
      ).rows,
    ).toEqual([{ parser_version: 2 }]);
    expect(await rawRowVersions()).toEqual(rawBefore);
    expect(rawBefore).toHaveLength(3);
    expect(await replayRow(replayId)).toMatchObject({
      status: 'succeeded',
      processed: 3,
      parser_version: 2,
      rows_added: 0,
      rows_changed: 28,
      rows_unchanged: 9,
      refused: 0,
    });
  });

  describe('from the topic', () => {
    let kafka: LoaderTestKafka;

    beforeAll(async () => {
      kafka = await setUpKafka();
    });

    afterAll(async () => {
      await kafka?.close();
    });

    const produce = (envelopes: RawEnvelope[]) =>
      kafka.producer.send(
        'raw.airbnb',
        envelopes.map((value) => ({ key: rawEnvelopeKey(value), value })),
      );

    it('replays the responses fetched in the range and stops at the end offsets captured at start', async () => {
      // responses fetched before the range, then inside it (produce timestamps are all "now":
      // only fetchedAt tells them apart, which is the path the librdkafka mock forces)
      await produce(fixtureEnvelopes({ accountId: '3002', fetchedAt: '2025-07-15T23:00:00.000Z' }));
      await produce(fixtureEnvelopes({ accountId: '3003', fetchedAt: '2025-07-16T05:00:00.000Z' }));
      const replayId = await createReplayRow('topic', false);
      // fetched in the range too, but produced once the replay has started: the same request keys,
      // so on the same partitions, after the captured end offsets (a replay that read on to the
      // topic's end would count 6 responses and store them)
      let producedAfterStart = 0;
      const lateResponses = fixtureEnvelopes({ accountId: '3003', fetchedAt: '2025-07-16T06:00:00.000Z' });
      const produceLate = async () => {
        await produce(lateResponses);
        producedAfterStart += lateResponses.length;
      };

      const report = await replayFromTopic({
        pool,
        kafka: runningBeforeConsumerConnects(kafka.kafka, produceLate),
        settings: kafka.settings,
        source: 'airbnb',
        ...RANGE,
        dryRun: false,
        parserFor: useParserV2,
        replayId,
        logger: testLogger,
        consumerOptions: FAST_CONSUMER,
      });

      expect(producedAfterStart).toBe(3);
      expect(report).toMatchObject({ origin: 'topic', dryRun: false, responses: 3, poison: [] });
      expect(report.rows['airbnb.chart_query']).toEqual({ added: 28, changed: 0, unchanged: 0 });
      expect(await rowCounts(pool, '3002')).toEqual({
        'airbnb.listings': 0,
        'airbnb.chart_query': 0,
        'airbnb.chart_summary': 0,
        'airbnb.list_of_metrics': 0,
      });
      expect(await chartRow(pool, '3003', '2025-01-12')).toMatchObject({ p3_impressions_your_value: 150 });
      expect(
        (
          await pool.query(
            `SELECT fetched_at, parser_version FROM airbnb.raw_responses WHERE account_id = '3003' GROUP BY 1, 2`,
          )
        ).rows,
      ).toEqual([{ fetched_at: new Date('2025-07-16T05:00:00.000Z'), parser_version: 2 }]);
      expect(await replayRow(replayId)).toMatchObject({
        status: 'succeeded',
        processed: 3,
        report: { origin: 'topic', responses: 3 },
      });
    });

    it('a dry run from the topic reports what would change and writes nothing', async () => {
      const report = await replayFromTopic({
        pool,
        kafka: kafka.kafka,
        settings: kafka.settings,
        source: 'airbnb',
        ...RANGE,
        accountId: '3003',
        dryRun: true,
        logger: testLogger,
        consumerOptions: FAST_CONSUMER,
      });

      // back to parser v1: the p3 values stored by the v2 replay change back on every chart day
      // (the late responses of the test above are in range and on the topic now: 6 responses)
      expect(report).toMatchObject({ origin: 'topic', dryRun: true, responses: 6, poison: [] });
      expect(report.rows).toEqual(EVERY_CHART_DAY_CHANGED);
      expect(await chartRow(pool, '3003', '2025-01-12')).toMatchObject({ p3_impressions_your_value: 150 });
    });
  });
});
