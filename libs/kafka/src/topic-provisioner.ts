import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { KAFKA_CLIENT, KAFKA_CONTEXT, type KafkaContext } from './kafka-context';
import { provisionTopics } from './provision';

/**
 * Creates the registry's missing topics, with their partitions and configs, once per process before the
 * first send or subscribe (with `createTopics` on; otherwise the broker auto-creates them). A real broker
 * answers a subscription to a missing topic with UNKNOWN_TOPIC_OR_PARTITION, and auto-created topics
 * would get the broker's defaults instead of compaction and 12 partitions. `npm run topics` does the same
 * ahead of time.
 */
@Injectable()
export class TopicProvisioner implements BeforeApplicationShutdown {
  private provisioned?: Promise<void>;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_CONTEXT) private readonly context: KafkaContext,
  ) {}

  ensure(): Promise<void> {
    if (!this.context.settings.createTopics) return Promise.resolve();
    this.provisioned ??= provisionTopics({
      kafka: this.kafka,
      settings: this.context.settings,
      logger: this.context.logger,
    }).then(
      () => undefined,
      (error: unknown) => {
        this.provisioned = undefined;
        throw error;
      },
    );
    return this.provisioned;
  }

  /** A provisioning still running at shutdown finishes first: its admin client must not outlive the app. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.provisioned?.catch(() => undefined);
  }
}
