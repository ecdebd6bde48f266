import { randomBytes } from 'node:crypto';

/** Brokers provided by the global setup (a real cluster via KAFKA_BROKERS, or the librdkafka mock). */
export function testBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run integration tests through jest (global setup)');
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
