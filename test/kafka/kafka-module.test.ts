import { Injectable, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { exampleSyncEvent, syncEventKey, type SyncEvent } from '@staysync/contracts';
import {
  BatchConsumerFactory,
  KafkaModule,
  KafkaProducerService,
  KafkaHealthService,
  provisionTopics,
  createKafka,
  type BatchConsumer,
  type DecodedMessage,
  type KafkaSettings,
} from '@staysync/kafka';
import { isMockBroker, randomGroupId, randomTopicPrefix, testBrokers, waitFor } from '@staysync/testing';
import { Registry } from 'prom-client';
import { FAST_CONSUMER, testLogger } from './support';

const received: DecodedMessage<'sync.events'>[] = [];

/** What an app does: create its consumer from the factory and start it at bootstrap. */
@Injectable()
class JobStatusConsumer implements OnApplicationBootstrap {
  readonly consumer: BatchConsumer;

  constructor(factory: BatchConsumerFactory) {
    this.consumer = factory.create({
      groupId: randomGroupId('admin-job-status'),
      topics: ['sync.events'],
      fromBeginning: true,
      consumerOptions: FAST_CONSUMER,
      handler: async (batch) => {
        received.push(...batch);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
  }
}

@Module({ providers: [JobStatusConsumer] })
class JobStatusModule {}

describe('Kafka > KafkaModule (Nest wiring)', () => {
  it('produces through KafkaProducerService, consumes through a factory consumer, and drains on close', async () => {
    const settings: KafkaSettings = {
      brokers: testBrokers(),
      clientId: 'staysync-module-test',
      topicPrefix: randomTopicPrefix(),
      idempotentProducer: !isMockBroker(),
      createTopics: !isMockBroker(),
    };
    await provisionTopics({ kafka: createKafka(settings, testLogger), settings, logger: testLogger });
    const registry = new Registry();
    const moduleRef = await Test.createTestingModule({
      imports: [
        KafkaModule.forRoot({ settings, logger: testLogger, metricsRegistry: registry }),
        JobStatusModule,
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.enableShutdownHooks();
    await app.init();
    await expect(app.get(KafkaHealthService).check()).resolves.toMatchObject({ ok: true });

    const event: SyncEvent = { ...exampleSyncEvent, type: 'job.started' };
    await app.get(KafkaProducerService).send('sync.events', [{ key: syncEventKey(event), value: event }]);
    await waitFor(() => received.length === 1, { what: 'the sync event' });
    expect(received[0].value).toEqual(event);

    await app.close();
    const metrics = await registry.getMetricsAsJSON();
    const produced = metrics.find((m) => m.name === 'staysync_kafka_produced_messages_total');
    const consumed = metrics.find((m) => m.name === 'staysync_kafka_consumed_messages_total');
    expect(produced?.values[0]).toMatchObject({
      value: 1,
      labels: { topic: `${settings.topicPrefix}sync.events.v1` },
    });
    expect(consumed?.values[0]?.value).toBe(1);
  });
});
