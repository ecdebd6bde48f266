import { rawPartitionKey, rawTopicId } from '@staysync/contracts';
import type { RawEnvelope } from '@staysync/core';
import { topicName, type KafkaSettings } from '@staysync/kafka';
import {
  CompressionTypes,
  Partitioners,
  type ICustomPartitioner,
  type Kafka,
  type Message,
  type Producer,
} from 'kafkajs';

/**
 * A tombstone (null value) for one raw-topic key. Compaction keeps only a key's last record per
 * partition, so the tombstone must land in the partition of the records it deletes: the one
 * `partitionKey` hashes to (raw topics are partitioned by source:account:resource), or, when that
 * is not known, every partition (`partition: 'all'`; a tombstone for a key a partition never held
 * is itself dropped after `delete.retention.ms`).
 */
export type RawTombstone = { key: string; partitionKey: string } | { key: string; partition: 'all' };

/** The tombstones that delete these envelopes' records. */
export function tombstonesFor(envelopes: RawEnvelope[]): RawTombstone[] {
  const seen = new Map<string, RawTombstone>();
  for (const e of envelopes) {
    const partitionKey = rawPartitionKey(e);
    seen.set(`${e.requestKey}\u0000${partitionKey}`, { key: e.requestKey, partitionKey });
  }
  return [...seen.values()];
}

const BATCH = 1000;

/**
 * Sends tombstones to the raw topics (`kafka.producer` of its own: the app's producer encodes and
 * validates values, and a tombstone has none). acks=all; resolves once the broker has them all.
 */
export class RawTombstoneSender {
  private producer?: Producer;
  private connected?: Promise<void>;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: Pick<KafkaSettings, 'topicPrefix' | 'idempotentProducer'>,
  ) {}

  async send(source: string, tombstones: RawTombstone[]): Promise<number> {
    if (tombstones.length === 0) return 0;
    const producer = await this.connect();
    const topic = topicName(rawTopicId(source), this.settings.topicPrefix);
    const partitions = tombstones.some((t) => 'partition' in t) ? await this.partitionsOf(topic) : [];
    const messages = tombstones.flatMap((t): TombstoneMessage[] =>
      'partition' in t
        ? partitions.map((partition) => ({ key: t.key, value: null, partition }))
        : [{ key: t.key, value: null, partitionKey: t.partitionKey }],
    );
    for (let i = 0; i < messages.length; i += BATCH) {
      await producer.send({
        topic,
        messages: messages.slice(i, i + BATCH),
        acks: -1,
        compression: CompressionTypes.GZIP,
      });
    }
    return messages.length;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = undefined;
    await this.producer?.disconnect();
  }

  private connect(): Promise<Producer> {
    this.producer ??= this.kafka.producer({
      idempotent: this.settings.idempotentProducer,
      maxInFlightRequests: this.settings.idempotentProducer ? 1 : undefined,
      allowAutoTopicCreation: false,
      createPartitioner: tombstonePartitioner,
    });
    const producer = this.producer;
    this.connected ??= producer.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected.then(() => producer);
  }

  private async partitionsOf(topic: string): Promise<number[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      return metadata.topics[0].partitions.map((p) => p.partitionId).sort((a, b) => a - b);
    } finally {
      await admin.disconnect();
    }
  }
}

interface TombstoneMessage extends Message {
  partitionKey?: string;
}

/** An explicit partition, else murmur2 of the partition key (as the app's producer places the records). */
const tombstonePartitioner: ICustomPartitioner = () => {
  const byKey = Partitioners.DefaultPartitioner();
  return ({ topic, partitionMetadata, message }) => {
    if (typeof message.partition === 'number') return message.partition;
    const { partitionKey } = message as TombstoneMessage;
    return byKey({
      topic,
      partitionMetadata,
      message: partitionKey === undefined ? message : { ...message, key: partitionKey },
    });
  };
};
