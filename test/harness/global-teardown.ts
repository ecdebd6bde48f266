import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { LocalKafka } from '../../libs/kafka/src/local-kafka';
import type { MockCluster } from '../../libs/kafka/src/mock-cluster';
import { dropDatabase } from './postgres';
import { HARNESS_STATE_FILE } from './state';

export default async function globalTeardown(): Promise<void> {
  const brokers = globalThis as { staysyncLocalKafka?: LocalKafka; staysyncMockCluster?: MockCluster };
  await brokers.staysyncLocalKafka?.stop();
  await brokers.staysyncMockCluster?.stop();
  if (!existsSync(HARNESS_STATE_FILE)) return;
  const state = JSON.parse(readFileSync(HARNESS_STATE_FILE, 'utf8')) as { templateDb?: string };
  if (state.templateDb && process.env.DATABASE_URL)
    await dropDatabase(process.env.DATABASE_URL, state.templateDb);
  rmSync(HARNESS_STATE_FILE, { force: true });
}
