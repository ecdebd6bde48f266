import { Pool } from 'pg';
import { kafkaConnectUnavailable } from '@staysync/kafka';
import { loadEnvelopes } from '@staysync/pipeline';
import { parseEnvelopes } from '../../apps/cli/src/bench/copy-ceiling';
import { METRIC_TABLES } from '../../apps/cli/src/bench/context';
import { runKafkaConnectJdbc, tablesDigest } from '../../apps/cli/src/bench/peers/kafka-connect-jdbc';
import { createTestDatabase, isMockBroker, testBrokers, type TestDatabase } from '../harness';
import { chartEnvelope, fixtureEnvelopes, sortedSnapshot } from '../loader/support';

const skip = isMockBroker() ? "librdkafka's mock cluster runs no Kafka Connect" : kafkaConnectUnavailable();
if (skip) process.stderr.write(`\n[kafka connect peer] skipped: ${skip}\n`);

(skip ? describe.skip : describe)('peer 1: Kafka Connect with the Debezium JDBC sink', () => {
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

  it('leaves exactly the metric rows the loader leaves', async () => {
    // a second chart metric for the same days: its records update the first chart's rows (merge-present)
    const envelopes = ['c1', 'c2'].flatMap((accountId) => [
      ...fixtureEnvelopes({ accountId }),
      chartEnvelope({ accountId }, 'conversion_rate'),
    ]);
    await loadEnvelopes(pool, envelopes);
    const byLoader = { c1: await sortedSnapshot(pool, 'c1'), c2: await sortedSnapshot(pool, 'c2') };
    const expected = await tablesDigest(pool, [...METRIC_TABLES]);

    const parsed = parseEnvelopes(envelopes);
    const result = await runKafkaConnectJdbc({
      pool,
      databaseUrl: db.url,
      brokers: testBrokers().join(','),
      topicPrefix: `t${Date.now().toString(36)}.`,
      parsed,
      expected,
      timeoutMs: 60_000,
      // a second connector on emptied tables must land the same rows again
      warmupRuns: 1,
      runs: 1,
    });
    expect({ c1: await sortedSnapshot(pool, 'c1'), c2: await sortedSnapshot(pool, 'c2') }).toEqual(byLoader);
    expect(result.records).toBe(parsed.total);
    expect(result.rows).toBe(2 * (7 + 28 + 1 + 1));
    expect(result.runs_duration_ms).toEqual([result.duration_ms]);
    expect(result.rows_per_s).toBeGreaterThan(0);
    expect(result.cpu_ms.jvm).toBeGreaterThan(0);
  }, 120_000);
});
