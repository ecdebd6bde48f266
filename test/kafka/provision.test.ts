import { TOPIC_IDS } from '@staysync/contracts';
import { checkBroker, createKafka, provisionTopics, topicName, type KafkaSettings } from '@staysync/kafka';
import { isMockBroker, randomTopicPrefix, testBrokers } from '@staysync/testing';
import { testLogger } from './support';

function settings(overrides: Partial<KafkaSettings> = {}): KafkaSettings {
  return {
    brokers: testBrokers(),
    clientId: 'staysync-provision-test',
    topicPrefix: randomTopicPrefix(),
    idempotentProducer: false,
    createTopics: !isMockBroker(),
    ...overrides,
  };
}

describe('Kafka > provisionTopics', () => {
  const allNames = (s: KafkaSettings) => TOPIC_IDS.map((id) => topicName(id, s.topicPrefix)).sort();

  it('creates every registry topic, then finds them existing', async () => {
    const s = settings();
    const kafka = createKafka(s, testLogger);

    const first = await provisionTopics({ kafka, settings: s, logger: testLogger });
    const created = first.mode === 'create-topics' ? first.created : first.autoCreated;
    expect(created.sort()).toEqual(allNames(s));

    const second = await provisionTopics({ kafka, settings: s, logger: testLogger });
    expect(second).toMatchObject({ created: [], autoCreated: [] });
    expect(second.existing.sort()).toEqual(allNames(s));
  });

  (isMockBroker() ? it : it.skip)(
    'falls back to auto-creation on the mock, which has no controller for CreateTopics',
    async () => {
      const s = settings({ createTopics: true });
      const kafka = createKafka(s, testLogger);
      const started = Date.now();

      const report = await provisionTopics({
        kafka,
        settings: s,
        logger: testLogger,
        topics: ['raw.airbnb', 'dlq'],
      });

      expect(report).toEqual({
        mode: 'auto-create',
        created: [],
        existing: [],
        autoCreated: [topicName('raw.airbnb', s.topicPrefix), topicName('dlq', s.topicPrefix)],
      });
      // detected up front, not after kafkajs's CreateTopics retries
      expect(Date.now() - started).toBeLessThan(3_000);
    },
  );
});

describe('Kafka > checkBroker', () => {
  it('reports a reachable cluster', async () => {
    const health = await checkBroker(createKafka(settings(), testLogger, { retry: { retries: 0 } }), 2_000);
    expect(health).toMatchObject({ ok: true, brokers: expect.any(Number) });
  });

  it('reports an unreachable cluster within the timeout, without throwing', async () => {
    const kafka = createKafka(settings({ brokers: ['127.0.0.1:1'] }), testLogger, { retry: { retries: 0 } });
    const started = Date.now();
    const health = await checkBroker(kafka, 1_000);
    expect(health.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
