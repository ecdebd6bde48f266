import { exampleRawEnvelope, type RawEnvelope } from '@staysync/contracts';
import {
  createJsonCodec,
  createKafka,
  createProducer,
  topicConfigs,
  topicName,
  type KafkaSettings,
} from '@staysync/kafka';
import { isMockBroker, randomGroupId, randomTopicPrefix, testBrokers, waitFor } from '@staysync/testing';
import { testLogger } from './support';

const describeOnApacheKafka = isMockBroker() ? describe.skip : describe;
if (isMockBroker()) console.warn('compaction: skipped on the librdkafka mock (it never compacts)');

/** Three fetches of the same ten requests: only the newest envelope per request key must survive compaction. */
describeOnApacheKafka('Kafka > raw topic compaction (Apache Kafka)', () => {
  const settings: KafkaSettings = {
    brokers: testBrokers(),
    clientId: 'compaction-test',
    topicPrefix: randomTopicPrefix(),
    idempotentProducer: true,
    createTopics: true,
  };
  const kafka = createKafka(settings, testLogger);
  const admin = kafka.admin();
  const producer = createProducer({ kafka, settings, codec: createJsonCodec(), logger: testLogger });
  const topic = topicName('raw.airbnb', settings.topicPrefix);

  beforeAll(async () => {
    await admin.connect();
    // the raw topic's own configs, with segments that roll after 300 ms and a cleaner that acts on any dirt
    const configs = {
      ...topicConfigs('raw.airbnb'),
      'segment.ms': '300',
      'min.compaction.lag.ms': '0',
      'min.cleanable.dirty.ratio': '0.01',
      'delete.retention.ms': '100',
    };
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const envelope = (request: number, fetch: number): RawEnvelope => ({
    ...exampleRawEnvelope,
    requestKey: `${exampleRawEnvelope.requestKey}:r${request}`,
    fetchedAt: new Date(Date.UTC(2024, 4, 1, 5, fetch)).toISOString(),
    body: { data: { fetch } },
  });

  async function readAll(): Promise<Array<{ key: string; fetch: number }>> {
    const { high } = (await admin.fetchTopicOffsets(topic))[0];
    const consumer = kafka.consumer({ groupId: randomGroupId('compaction'), maxWaitTimeInMs: 100 });
    const seen: Array<{ key: string; fetch: number }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const value = JSON.parse(message.value!.toString()) as RawEnvelope;
          seen.push({
            key: message.key!.toString(),
            fetch: (value.body as { data: { fetch: number } }).data.fetch,
          });
          if (BigInt(message.offset) + 1n >= BigInt(high)) resolve();
        },
      });
    });
    await consumer.disconnect();
    return seen;
  }

  it('keeps the newest envelope per request key', async () => {
    // one send: the three fetches share a batch, so segment.ms cannot roll (and compact) fetch 1 away
    // before it is read back
    await producer.send(
      'raw.airbnb',
      [1, 2, 3].flatMap((fetch) =>
        Array.from({ length: 10 }, (_, r) => ({
          key: envelope(r, fetch).requestKey,
          value: envelope(r, fetch),
        })),
      ),
    );
    const requestKeys = Array.from({ length: 10 }, (_, r) => envelope(r, 1).requestKey);
    expect((await readAll()).filter((m) => requestKeys.includes(m.key))).toHaveLength(30);

    // only closed segments are compacted: a later record (its own key) rolls the segment once segment.ms passed
    let filler = 0;
    const survivors = await waitFor(
      async () => {
        await producer.send('raw.airbnb', [{ key: `filler-${filler}`, value: envelope(1000 + filler++, 0) }]);
        const records = (await readAll()).filter((m) => requestKeys.includes(m.key));
        return records.length === 10 ? records : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 500, what: 'the log cleaner to compact the raw topic' },
    );
    expect(survivors.map((m) => m.key).sort()).toEqual([...requestKeys].sort());
    expect(survivors.every((m) => m.fetch === 3)).toBe(true);
  }, 60_000);
});
