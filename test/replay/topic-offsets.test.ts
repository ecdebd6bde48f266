import { createKafka, topicName } from '@staysync/kafka';
import { planPartitions } from '@staysync/pipeline';
import { isMockBroker, randomTopicPrefix, testBrokers } from '@staysync/testing';
import pino from 'pino';

/**
 * A topic replay starts each partition at the broker's offset for the range's start time
 * (ListOffsets by timestamp), so history before the range is not read at all. On the librdkafka mock,
 * which answers -1, it scans from the earliest offset instead (partitionPlan's unit spec covers both).
 */
describe('Replay > topic plan by timestamp (broker)', () => {
  const logger = pino({ level: 'silent' });
  const settings = {
    brokers: testBrokers(),
    clientId: 'replay-offsets-test',
    topicPrefix: randomTopicPrefix(),
    idempotentProducer: !isMockBroker(),
    createTopics: !isMockBroker(),
  };
  const kafka = createKafka(settings, logger);
  const topic = topicName('raw.airbnb', settings.topicPrefix);
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: settings.idempotentProducer,
    maxInFlightRequests: settings.idempotentProducer ? 1 : undefined,
  });

  beforeAll(async () => {
    await Promise.all([admin.connect(), producer.connect()]);
    // The records carry January 2025 timestamps: under the broker's default retention (7 days) its
    // retention check (every 5 s on the test broker) would delete them between producing and planning.
    if (!isMockBroker())
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '-1' }] }],
      });
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  it('starts each partition at the first record at or after `from`; the end is captured at start', async () => {
    const day = (d: number) => String(Date.UTC(2025, 0, d));
    // partition 0: five records from Jan 1–5; partition 1: three records from Jan 1–3
    await producer.send({
      topic,
      messages: [1, 2, 3, 4, 5].map((d) => ({ key: `k${d}`, value: 'x', partition: 0, timestamp: day(d) })),
    });
    await producer.send({
      topic,
      messages: [1, 2, 3].map((d) => ({ key: `k${d}`, value: 'x', partition: 1, timestamp: day(d) })),
    });

    const plans = await planPartitions(kafka, topic, new Date(Number(day(4))));

    if (isMockBroker()) {
      console.warn(
        'topic-offsets: the librdkafka mock answers -1 to offsets by timestamp; checking the earliest-offset fallback',
      );
      expect(plans.every((p) => p.startedFrom === 'earliest' && p.start === 0n)).toBe(true);
      return;
    }
    expect(plans.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, start: 3n, end: 5n, startedFrom: 'timestamp' },
      // nothing at or after Jan 4 here: nothing to read
      { partition: 1, start: 3n, end: 3n, startedFrom: 'timestamp' },
    ]);
  });
});
