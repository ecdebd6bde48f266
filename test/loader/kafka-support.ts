import { TOPIC_IDS, type TopicId } from '@staysync/contracts';
import {
  createJsonCodec,
  createKafka,
  createProducer,
  provisionTopics,
  topicName,
  type KafkaProducer,
  type KafkaSettings,
} from '@staysync/kafka';
import { randomGroupId } from '@staysync/testing';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { FAST_CONSUMER, testKafkaSettings, testLogger } from '../kafka/support';

export interface LoaderTestKafka {
  settings: KafkaSettings;
  kafka: Kafka;
  producer: KafkaProducer;
  name(topicId: TopicId): string;
  /** every message of a topic from the beginning, collected as it arrives */
  collect(topicId: TopicId): Promise<KafkaMessage[]>;
  close(): Promise<void>;
}

/** A fresh topic prefix on the test broker, topics provisioned, our producer (JSON codec). */
export async function setUpKafka(): Promise<LoaderTestKafka> {
  const settings = testKafkaSettings();
  const kafka = createKafka(settings, testLogger);
  await provisionTopics({ kafka, settings, logger: testLogger, topics: TOPIC_IDS });
  const producer = createProducer({ kafka, settings, codec: createJsonCodec(), logger: testLogger });
  const consumers: Consumer[] = [];
  const name = (topicId: TopicId) => topicName(topicId, settings.topicPrefix);
  return {
    settings,
    kafka,
    producer,
    name,
    async collect(topicId) {
      const messages: KafkaMessage[] = [];
      const consumer = kafka.consumer({ groupId: randomGroupId('collect'), ...FAST_CONSUMER });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [name(topicId)], fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
      return messages;
    },
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect()));
      await producer.disconnect();
    },
  };
}
