import { writeFileSync } from 'node:fs';
import { startMockCluster } from '../../libs/kafka/src/mock-cluster';
import { prepareTemplateDatabase } from './postgres';
import { HARNESS_STATE_FILE } from './state';

/**
 * Provides the integration suites with real infrastructure, once per run:
 * - PostgreSQL: `DATABASE_URL` (default: the local server), migrated once into a template
 *   database; each test file clones its own database from it (see ./postgres.ts).
 * - Kafka: `KAFKA_BROKERS` if set, else librdkafka's mock cluster started through kcat.
 * Environment set here is inherited by the jest workers.
 */
export default async function globalSetup(): Promise<void> {
  const state: { kcatPid?: number; templateDb?: string } = {};
  if (!process.env.KAFKA_BROKERS) {
    const cluster = await startMockCluster({ detached: true });
    process.env.KAFKA_BROKERS = cluster.brokers;
    process.env.STAYSYNC_KAFKA_MOCK = '1';
    state.kcatPid = cluster.pid;
  }
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  state.templateDb = await prepareTemplateDatabase(process.env.DATABASE_URL);
  process.env.STAYSYNC_TEST_TEMPLATE_DB = state.templateDb;
  // MikroORM keeps entity metadata on globalThis; jest hands this process's globals to in-band
  // test contexts, whose realm would then see foreign Map instances. Leave nothing behind.
  delete (globalThis as Record<string, unknown>)['mikro-orm-metadata'];
  writeFileSync(HARNESS_STATE_FILE, JSON.stringify(state));
}
