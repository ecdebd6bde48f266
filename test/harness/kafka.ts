import { randomBytes } from 'node:crypto';

/** Brokers provided by the global setup (a real cluster via KAFKA_BROKERS, or the librdkafka mock). */
export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers)
    throw new Error('KAFKA_BROKERS is not set: run integration tests through jest (global setup)');
  return brokers.split(',');
}

/** True when the broker is librdkafka's mock cluster (no CreateTopics, no idempotent producer). */
export function isMockBroker(): boolean {
  return process.env.STAYSYNC_KAFKA_MOCK === '1';
}

/** Each test file gets its own topic namespace, so suites can run in parallel on one broker. */
export function randomTopicPrefix(): string {
  return `t${randomBytes(4).toString('hex')}.`;
}

export function randomGroupId(name = 'test'): string {
  return `${name}-${randomBytes(4).toString('hex')}`;
}

/**
 * Creates every registry topic under `prefix` (CreateTopics with their partitions and configs; on the
 * mock, auto-creation). For tests that subscribe before an app has provisioned its topics: a real
 * broker refuses a subscription to a topic that does not exist yet.
 */
export async function createTestTopics(prefix: string): Promise<void> {
  const { createKafka, provisionTopics } = await import('../../libs/kafka/src');
  const pino = (await import('pino')).default;
  const logger = pino({ level: 'silent' });
  const settings = {
    brokers: testBrokers(),
    clientId: 'staysync-test-topics',
    topicPrefix: prefix,
    idempotentProducer: false,
    createTopics: !isMockBroker(),
  };
  await provisionTopics({ kafka: createKafka(settings, logger), settings, logger });
}

export interface PrivateBroker {
  brokers: string;
  /** the broker process: SIGSTOP/SIGCONT freeze and thaw it */
  pid: number;
  stop(): Promise<void>;
}

/** A broker of the same kind as the run's, for one test file that pauses or kills it. */
export async function startPrivateBroker(): Promise<PrivateBroker> {
  const { startLocalKafka, startMockCluster } = await import('../../libs/kafka/src');
  return isMockBroker() ? startMockCluster() : startLocalKafka({ heapMb: 256 });
}
