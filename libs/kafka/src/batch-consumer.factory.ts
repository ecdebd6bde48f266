import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { TopicId } from '@staysync/contracts';
import type { Kafka } from 'kafkajs';
import type { ValueCodec } from './codec';
import { createBatchConsumer, type BatchConsumer, type BatchConsumerOptions } from './consumer';
import { KAFKA_CLIENT, KAFKA_CODEC, KAFKA_CONTEXT, type KafkaContext } from './kafka-context';
import { KafkaProducerService } from './kafka-producer.service';
import { TopicProvisioner } from './topic-provisioner';

export type BatchConsumerSpec<T extends TopicId> = Omit<
  BatchConsumerOptions<T>,
  'kafka' | 'settings' | 'codec' | 'logger' | 'producer' | 'metrics'
>;

/**
 * Creates batch consumers wired to the module's client, codec and producer (for the DLQ). Apps start
 * them in their own onApplicationBootstrap; they are drained in beforeApplicationShutdown, i.e.
 * before the producer disconnects in onApplicationShutdown.
 */
@Injectable()
export class BatchConsumerFactory implements BeforeApplicationShutdown {
  private readonly consumers: BatchConsumer[] = [];

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_CODEC) private readonly codec: ValueCodec,
    @Inject(KAFKA_CONTEXT) private readonly context: KafkaContext,
    private readonly producer: KafkaProducerService,
    private readonly topics: TopicProvisioner,
  ) {}

  create<T extends TopicId>(spec: BatchConsumerSpec<T>): BatchConsumer {
    const consumer = createBatchConsumer({
      onGiveUp: exitForARestart,
      beforeSubscribe: () => this.topics.ensure(),
      ...spec,
      kafka: this.kafka,
      codec: this.codec,
      producer: this.producer,
      ...this.context,
    });
    this.consumers.push(consumer);
    return consumer;
  }

  /** Groups of the consumers that are not consuming right now (starting, restarting, given up); /ready is 503 while any is. */
  notRunning(): string[] {
    return this.consumers
      .filter((consumer) => consumer.state() !== 'running')
      .map((consumer) => consumer.groupId);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }
}

/**
 * A consumer whose restarts are used up: shut the service down gracefully (Nest's SIGTERM hooks) and
 * exit non-zero, so the orchestrator starts a fresh process.
 */
function exitForARestart(): void {
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
}
