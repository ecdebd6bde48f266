import { TOPIC_IDS, type TopicId } from '@staysync/contracts';
import {
  createBatchConsumer,
  createJsonCodec,
  createKafka,
  createProducer,
  provisionTopics,
  topicName,
  type BatchConsumer,
  type BatchConsumerOptions,
  type DecodedMessage,
  type KafkaProducer,
  type KafkaSettings,
  type ValueCodec,
} from '@staysync/kafka';
import { isMockBroker, randomGroupId, randomTopicPrefix, testBrokers } from '@staysync/testing';
import type { Admin, Consumer, ConsumerConfig, Kafka } from 'kafkajs';
import pino, { type Logger } from 'pino';

/** Quiet by default; STAYSYNC_TEST_LOG=debug shows what the consumers do. */
export const testLogger: Logger = pino({ level: process.env.STAYSYNC_TEST_LOG ?? 'silent' });

/** Small timeouts: group joins and fetch loops on the mock are otherwise slow to settle. */
export const FAST_CONSUMER = {
  sessionTimeout: 6_000,
  rebalanceTimeout: 6_000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 100,
};
export const FAST_RETRY = { initialMs: 100, maxMs: 400 };

export interface TestKafka {
  settings: KafkaSettings;
  kafka: Kafka;
  admin: Admin;
  codec: ValueCodec;
  producer: KafkaProducer;
  name(topicId: TopicId): string;
  consumer<T extends TopicId>(
    options: Pick<BatchConsumerOptions<T>, 'topics' | 'handler'> & Partial<BatchConsumerOptions<T>>,
  ): BatchConsumer;
  /** the group's committed offset (next offset to read) per partition of a topic */
  committed(groupId: string, topicId: TopicId): Promise<Map<number, string>>;
  close(): Promise<void>;
}

/** Settings of a test's own Kafka clients on the test broker, under `topicPrefix` (default: a fresh one). */
export function testKafkaSettings(topicPrefix = randomTopicPrefix()): KafkaSettings {
  return {
    brokers: testBrokers(),
    clientId: 'staysync-test',
    topicPrefix,
    // the mock has no controller: no idempotent producer, no CreateTopics
    idempotentProducer: !isMockBroker(),
    createTopics: !isMockBroker(),
  };
}

/** A producer, admin and consumer factory on the test broker under a fresh topic prefix, topics provisioned. */
export async function setUpTestKafka(
  options: { codec?: ValueCodec; prefix?: string } = {},
): Promise<TestKafka> {
  const settings = testKafkaSettings(options.prefix);
  const kafka = createKafka(settings, testLogger);
  const codec = options.codec ?? createJsonCodec();
  const admin = kafka.admin();
  await admin.connect();
  await provisionTopics({ kafka, settings, logger: testLogger, topics: TOPIC_IDS });
  const producer = createProducer({ kafka, settings, codec, logger: testLogger });
  const consumers: BatchConsumer[] = [];

  return {
    settings,
    kafka,
    admin,
    codec,
    producer,
    name: (topicId) => topicName(topicId, settings.topicPrefix),
    consumer(consumerOptions) {
      const consumer = createBatchConsumer({
        kafka,
        settings,
        codec,
        producer,
        logger: testLogger,
        groupId: randomGroupId('kafka-test'),
        fromBeginning: true,
        consumerOptions: FAST_CONSUMER,
        retryBackoff: FAST_RETRY,
        ...consumerOptions,
      });
      consumers.push(consumer);
      return consumer;
    },
    async committed(groupId, topicId) {
      const [topic] = await admin.fetchOffsets({
        groupId,
        topics: [topicName(topicId, settings.topicPrefix)],
      });
      return new Map(topic.partitions.map((p) => [p.partition, p.offset]));
    },
    async close() {
      await Promise.all(consumers.map((c) => c.stop()));
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

/** A handler that records what it got, for waitFor. */
export function recordingHandler<T extends TopicId>(): {
  batches: DecodedMessage<T>[][];
  messages: () => DecodedMessage<T>[];
  handler: (batch: DecodedMessage<T>[]) => Promise<void>;
} {
  const batches: DecodedMessage<T>[][] = [];
  return {
    batches,
    messages: () => batches.flat(),
    handler: async (batch) => {
      batches.push(batch);
    },
  };
}

/**
 * The same Kafka client, except that each consumer it creates is first handed to `decorate` (to listen
 * to its events or wrap a method): for code under test that makes its consumers itself.
 */
export function decorateConsumers(kafka: Kafka, decorate: (consumer: Consumer) => void): Kafka {
  return new Proxy(kafka, {
    get(target, property, receiver) {
      if (property !== 'consumer') return Reflect.get(target, property, receiver);
      return (config: ConsumerConfig) => {
        const consumer = target.consumer(config);
        decorate(consumer);
        return consumer;
      };
    },
  });
}

export interface CommitSpy {
  /** pass as the batch consumer's `kafka`: the kafkajs consumers it creates report their commits here */
  kafka: Kafka;
  /** every offset committed, in order, with the phase the test was in when kafkajs reported it */
  commits: Array<{ partition: number; offset: string; phase: string }>;
  /** names what the test does from now on, e.g. 'first batch in flight' */
  enter(phase: string): void;
}

/** Records the offset commits of consumers made from `kafka` (kafkajs's COMMIT_OFFSETS event), so a test waits on a commit instead of sleeping. */
export function commitSpy(kafka: Kafka): CommitSpy {
  const commits: CommitSpy['commits'] = [];
  let phase = 'start';
  const spied = decorateConsumers(kafka, (consumer) => {
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const { partitions } of payload.topics)
        for (const { partition, offset } of partitions)
          commits.push({ partition: Number(partition), offset: String(offset), phase });
    });
  });
  return { kafka: spied, commits, enter: (next) => void (phase = next) };
}
