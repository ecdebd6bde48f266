import { TOPIC_IDS, TOPICS } from '@staysync/contracts';
import {
  createJsonCodec,
  createKafka,
  createProducer,
  provisionTopics,
  topicName,
  type KafkaProducer,
  type KafkaSettings,
} from '@staysync/kafka';
import { isMockBroker, randomGroupId, waitFor } from '@staysync/testing';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { testKafkaSettings, testLogger } from '../kafka/support';

/**
 * Raw topics that compact within seconds: segments roll every 100 ms (the active segment is never
 * cleaned), any dirt makes a log cleanable, tombstones are dropped 100 ms after a cleaning, and records
 * may be compacted at once. (The test broker's cleaner wakes every second.)
 */
export const LIFECYCLE_RAW_TOPIC_CONFIGS: Record<string, string> = {
  'cleanup.policy': 'compact',
  'segment.ms': '100',
  'segment.bytes': '1048576',
  'min.cleanable.dirty.ratio': '0.01',
  'delete.retention.ms': '100',
  'min.compaction.lag.ms': '0',
  'max.message.bytes': TOPICS['raw.airbnb'].configs['max.message.bytes'],
};

export interface LifecycleKafka {
  settings: KafkaSettings;
  kafka: Kafka;
  producer: KafkaProducer;
  name(topicId: (typeof TOPIC_IDS)[number]): string;
  close(): Promise<void>;
}

/** A fresh topic prefix; the raw topics created first with quick compaction (a real broker), the rest from the registry. */
export async function setUpLifecycleKafka(): Promise<LifecycleKafka> {
  const settings = testKafkaSettings();
  const kafka = createKafka(settings, testLogger);
  const name = (topicId: (typeof TOPIC_IDS)[number]) => topicName(topicId, settings.topicPrefix);
  if (!isMockBroker()) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: (['raw.airbnb', 'raw.hostaway'] as const).map((id) => ({
          topic: name(id),
          numPartitions: 3,
          configEntries: Object.entries(LIFECYCLE_RAW_TOPIC_CONFIGS).map(([configName, value]) => ({
            name: configName,
            value,
          })),
        })),
      });
    } finally {
      await admin.disconnect();
    }
  }
  await provisionTopics({ kafka, settings, logger: testLogger, topics: TOPIC_IDS });
  const producer = createProducer({ kafka, settings, codec: createJsonCodec(), logger: testLogger });
  return { settings, kafka, producer, name, close: () => producer.disconnect() };
}

export interface TopicRecord {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}

/** Every record a topic holds now: read from the earliest offset up to the end offsets at the call. */
export async function readTopic(kafka: Kafka, topic: string): Promise<TopicRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic))
      .filter((p) => BigInt(p.high) > BigInt(p.low))
      .map((p) => [p.partition, BigInt(p.high)]),
  );
  await admin.disconnect();
  const records: TopicRecord[] = [];
  if (ends.size === 0) return records;
  const consumer = kafka.consumer({
    groupId: randomGroupId('read-topic'),
    sessionTimeout: 6_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  });
  const reached = new Set<number>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        if (end === undefined) return;
        for (const m of batch.messages) {
          if (BigInt(m.offset) < end)
            records.push({
              partition: batch.partition,
              offset: m.offset,
              key: m.key?.toString('utf8') ?? null,
              value: m.value,
            });
        }
        // compaction leaves gaps: the batch's last offset, not a record count, tells the end is reached
        if (BigInt(batch.lastOffset()) >= end - 1n) reached.add(batch.partition);
      },
    });
    await waitFor(() => reached.size === ends.size, {
      what: `reading ${topic} to its end offsets`,
      timeoutMs: 30_000,
    });
  } finally {
    await consumer.disconnect();
  }
  const seen = new Set<string>();
  return records.filter(
    (r) => !seen.has(`${r.partition}:${r.offset}`) && seen.add(`${r.partition}:${r.offset}`),
  );
}

/**
 * Rows of every table in the airbnb, hostaway and ops schemas whose text mentions `needle` (an
 * account id): table → count, tables without such a row left out.
 */
export async function rowsMentioning(pool: Pool, needle: string): Promise<Record<string, number>> {
  const { rows: tables } = await pool.query<{ name: string }>(
    `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
      WHERE table_schema IN ('airbnb', 'hostaway', 'ops') AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${name} t WHERE t::text LIKE '%' || $1 || '%'`,
      [needle],
    );
    if (rows[0].n > 0) counts[name] = rows[0].n;
  }
  return counts;
}
