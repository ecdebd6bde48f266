import { writeFileSync } from 'node:fs';
import { localKafkaAvailable, startLocalKafka, type LocalKafka } from '../../libs/kafka/src/local-kafka';
import { startMockCluster, type MockCluster } from '../../libs/kafka/src/mock-cluster';
import { prepareTemplateDatabase } from './postgres';
import { HARNESS_STATE_FILE } from './state';

/**
 * Provides the integration suites with real infrastructure, once per run:
 * - PostgreSQL: `DATABASE_URL` (default: the local server), migrated once into a template
 *   database; each test file clones its own database from it (see ./postgres.ts).
 * - Kafka: `KAFKA_BROKERS` if set; else a local Apache Kafka (single-node KRaft from Maven Central's
 *   jars) when Java is installed; else librdkafka's mock cluster through kcat. The broker lives as long
 *   as this jest process (global teardown stops it; if jest dies, the broker's watchdog stops it).
 * Environment set here is inherited by the jest workers.
 */
export default async function globalSetup(): Promise<void> {
  const state: { templateDb?: string } = {};
  const say = (line: string) => process.stderr.write(`\n[harness] ${line}\n`);
  if (process.env.KAFKA_BROKERS) {
    say(`broker: KAFKA_BROKERS=${process.env.KAFKA_BROKERS}`);
  } else if (localKafkaAvailable()) {
    const broker = await startLocalKafka({ log: say });
    (globalThis as { staysyncLocalKafka?: LocalKafka }).staysyncLocalKafka = broker;
    process.env.KAFKA_BROKERS = broker.brokers;
    process.env.STAYSYNC_KAFKA_KIND = `apache-kafka ${broker.version}`;
  } else {
    const cluster = await startMockCluster();
    (globalThis as { staysyncMockCluster?: MockCluster }).staysyncMockCluster = cluster;
    process.env.KAFKA_BROKERS = cluster.brokers;
    process.env.STAYSYNC_KAFKA_MOCK = '1';
    process.env.STAYSYNC_KAFKA_KIND = 'librdkafka-mock';
    say(
      `broker: librdkafka mock cluster at ${cluster.brokers} (no Java here: install a JDK 17+ to test on Apache Kafka)`,
    );
  }
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  state.templateDb = await prepareTemplateDatabase(process.env.DATABASE_URL);
  process.env.STAYSYNC_TEST_TEMPLATE_DB = state.templateDb;
  // MikroORM keeps entity metadata on globalThis; jest hands this process's globals to in-band
  // test contexts, whose realm would then see foreign Map instances. Leave nothing behind.
  delete (globalThis as Record<string, unknown>)['mikro-orm-metadata'];
  writeFileSync(HARNESS_STATE_FILE, JSON.stringify(state));
}
