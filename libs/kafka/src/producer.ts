import { TOPICS, topicDefinition, type TopicId, type TopicValue } from '@staysync/contracts';
import {
  CompressionTypes,
  Partitioners,
  type ICustomPartitioner,
  type IHeaders,
  type Kafka,
  type Message,
  type RecordMetadata,
} from 'kafkajs';
import type { Logger } from 'pino';
import { groupCommit } from '@staysync/core';
import type { ValueCodec } from './codec';
import { brokerTrouble } from './errors';
import type { KafkaMetrics } from './metrics';
import type { KafkaSettings } from './settings';
import { topicName } from './topic-names';

export interface OutgoingMessage<T extends TopicId> {
  key: string | Buffer | null;
  value: TopicValue<T>;
  headers?: IHeaders;
}

export interface KafkaProducer {
  /** optional: send() connects on first use */
  connect(): Promise<void>;
  /**
   * Encodes (and so validates) every value first, then sends them with acks=all, in one request with
   * the other sends handed in meanwhile (see GROUP_BYTES). Throws InvalidOutgoingMessageError before
   * sending anything if a value is invalid, and TransientError when the brokers fail after kafkajs's
   * own retries (every send of the request gets it).
   */
  send<T extends TopicId>(topicId: T, messages: OutgoingMessage<T>[]): Promise<RecordMetadata[]>;
  disconnect(): Promise<void>;
}

export interface ProducerOptions {
  kafka: Kafka;
  settings: KafkaSettings;
  codec: ValueCodec;
  logger: Logger;
  metrics?: KafkaMetrics;
}

const ACKS_ALL = -1;

/**
 * Sends handed in while a produce request is in flight wait and then go together in the next one, up
 * to about this many value bytes (a larger send goes alone): what the Java client's record accumulator
 * does. kafkajs sends each call as its own request, and the idempotent producer allows one in flight,
 * so a fetcher with 100 accounts publishing a response each queued 100 requests behind each other.
 * Well below the broker's default max.message.bytes (1 MiB) for any one partition's batch.
 */
const GROUP_BYTES = 512 * 1024;

interface EncodedSend {
  topic: string;
  messages: PartitionedMessage[];
  bytes: number;
}

export function createProducer({ kafka, settings, codec, logger, metrics }: ProducerOptions): KafkaProducer {
  const log = logger.child({ component: 'kafka-producer' });
  const producer = kafka.producer({
    idempotent: settings.idempotentProducer,
    // the idempotent producer keeps ordering only with one request in flight per broker
    maxInFlightRequests: settings.idempotentProducer ? 1 : undefined,
    // with provisioning on, a typo in a topic name should fail rather than create a topic
    allowAutoTopicCreation: !settings.createTopics,
    createPartitioner: partitionKeyPartitioner,
  });
  let connected: Promise<void> | undefined;
  // one group per compression: a request has one compression codec for all its topics
  const produce = new Map(
    [CompressionTypes.None, CompressionTypes.GZIP].map((compression) => [
      compression,
      groupCommit(
        (sends: EncodedSend[]) => producer.sendBatch({ topicMessages: sends, acks: ACKS_ALL, compression }),
        { maxSize: GROUP_BYTES, sizeOf: (send) => send.bytes },
      ),
    ]),
  );

  function connect(): Promise<void> {
    connected ??= producer.connect().then(
      () => log.debug({ idempotent: settings.idempotentProducer }, 'producer connected'),
      (error: unknown) => {
        connected = undefined;
        throw error;
      },
    );
    return connected;
  }

  async function send<T extends TopicId>(
    topicId: T,
    messages: OutgoingMessage<T>[],
  ): Promise<RecordMetadata[]> {
    if (messages.length === 0) return [];
    const topic = topicName(topicId, settings.topicPrefix);
    const started = performance.now();
    try {
      const { partitionedBy } = topicDefinition(topicId);
      const encoded: PartitionedMessage[] = await Promise.all(
        messages.map(async (message) => ({
          key: message.key,
          value: await codec.encode(topicId, message.value),
          headers: message.headers,
          partitionKey: partitionedBy?.of(message.value),
        })),
      );
      const bytes = encoded.reduce((sum, m) => sum + m.value.length + keyBytes(m.key), 0);
      await connect();
      const compression =
        TOPICS[topicId].compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
      const sent = await produce.get(compression)!({ topic, messages: encoded, bytes });
      const result = sent.filter((partition) => partition.topicName === topic);
      metrics?.producedMessages.inc({ topic }, encoded.length);
      metrics?.producedBytes.inc({ topic }, bytes);
      return result;
    } catch (error) {
      metrics?.produceErrors.inc({ topic });
      throw brokerTrouble(error, `producing to ${topic}`);
    } finally {
      metrics?.produceSeconds.observe({ topic }, (performance.now() - started) / 1000);
    }
  }

  async function disconnect(): Promise<void> {
    if (!connected) return;
    connected = undefined;
    await producer.disconnect();
    log.debug('producer disconnected');
  }

  return { connect, send, disconnect };
}

/** An encoded message, with what the partitioner hashes instead of its key (kafkajs passes messages through as given). */
interface PartitionedMessage extends Message {
  key: string | Buffer | null;
  value: Buffer;
  partitionKey?: string;
}

/**
 * kafkajs's default partitioner (murmur2 of the key, as the Java client) applied to the message's
 * partitionKey when its topic has one (see TopicDefinition.partitionedBy), else to its key.
 */
const partitionKeyPartitioner: ICustomPartitioner = () => {
  const byKey = Partitioners.DefaultPartitioner();
  return ({ topic, partitionMetadata, message }) => {
    const { partitionKey } = message as PartitionedMessage;
    return byKey({
      topic,
      partitionMetadata,
      message: partitionKey === undefined ? message : { ...message, key: partitionKey },
    });
  };
};

function keyBytes(key: string | Buffer | null): number {
  if (key === null) return 0;
  return typeof key === 'string' ? Buffer.byteLength(key) : key.length;
}
