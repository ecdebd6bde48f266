import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { TopicId } from '@staysync/contracts';
import type { Kafka, RecordMetadata } from 'kafkajs';
import type { Logger } from 'pino';
import type { ValueCodec } from './codec';
import { KAFKA_CLIENT, KAFKA_CODEC, KAFKA_CONTEXT, type KafkaContext } from './kafka-context';
import { createProducer, type KafkaProducer, type OutgoingMessage } from './producer';
import { TopicProvisioner } from './topic-provisioner';

/** The app's one producer. Connects in the background at bootstrap (send() also connects), disconnects at shutdown. */
@Injectable()
export class KafkaProducerService implements KafkaProducer, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly producer: KafkaProducer;
  private readonly logger: Logger;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(KAFKA_CODEC) codec: ValueCodec,
    @Inject(KAFKA_CONTEXT) context: KafkaContext,
    private readonly topics: TopicProvisioner,
  ) {
    this.producer = createProducer({ kafka, codec, ...context });
    this.logger = context.logger;
  }

  onApplicationBootstrap(): void {
    // a broker that is down at startup must not keep the app (and its health endpoint) from starting
    this.connect().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'producer could not connect yet; send() retries'),
    );
  }

  async connect(): Promise<void> {
    await this.topics.ensure();
    await this.producer.connect();
  }

  async send<T extends TopicId>(topicId: T, messages: OutgoingMessage<T>[]): Promise<RecordMetadata[]> {
    await this.topics.ensure();
    return this.producer.send(topicId, messages);
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
