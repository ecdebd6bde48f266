import { Test } from '@nestjs/testing';
import {
  KAFKA_CONTEXT,
  KafkaModule,
  KafkaProducerService,
  createKafka,
  probeCapabilities,
  type KafkaContext,
  type KafkaSettings,
} from '@staysync/kafka';
import { exampleSyncEvent, syncEventKey } from '@staysync/contracts';
import { isMockBroker, randomTopicPrefix, testBrokers } from '@staysync/testing';
import { Kafka, type ProducerConfig } from 'kafkajs';
import { testLogger } from './support';

/**
 * Every app's producer is idempotent on a real cluster (the default settings), and the one capability
 * probe is what turns that off, on the librdkafka mock only.
 */
describe('Kafka > capability probe and idempotent producers (broker)', () => {
  const configured: KafkaSettings = {
    brokers: testBrokers(),
    clientId: 'staysync-capabilities-test',
    topicPrefix: randomTopicPrefix(),
    idempotentProducer: true,
    createTopics: true,
  };

  it('finds a controller on Apache Kafka (none on the mock)', async () => {
    const admin = createKafka(configured, testLogger).admin();
    await admin.connect();
    try {
      expect((await probeCapabilities(admin)).controller).toBe(!isMockBroker());
    } finally {
      await admin.disconnect();
    }
  });

  it('builds the module producer idempotent, and it sends (InitProducerId answered)', async () => {
    const producerConfigs: ProducerConfig[] = [];
    const original = Kafka.prototype.producer;
    const spy = jest.spyOn(Kafka.prototype, 'producer').mockImplementation(function (
      this: Kafka,
      config?: ProducerConfig,
    ) {
      producerConfigs.push(config ?? {});
      return original.call(this, config);
    });
    const moduleRef = await Test.createTestingModule({
      imports: [KafkaModule.forRoot({ settings: configured, logger: testLogger })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    try {
      const context = app.get<KafkaContext>(KAFKA_CONTEXT);
      expect({
        idempotent: context.settings.idempotentProducer,
        createTopics: context.settings.createTopics,
      }).toEqual(
        isMockBroker()
          ? { idempotent: false, createTopics: false }
          : { idempotent: true, createTopics: true },
      );
      await app
        .get(KafkaProducerService)
        .send('sync.events', [{ key: syncEventKey(exampleSyncEvent), value: exampleSyncEvent }]);
      expect(producerConfigs).toEqual([
        expect.objectContaining({
          idempotent: !isMockBroker(),
          maxInFlightRequests: isMockBroker() ? undefined : 1,
        }),
      ]);
    } finally {
      spy.mockRestore();
      await app.close();
    }
  });
});
