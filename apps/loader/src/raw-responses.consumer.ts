import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { BatchConsumerFactory, groupCommit, type BatchConsumerSpec } from '@staysync/kafka';
import { LoaderService } from './loader.service';
import { rawTopicIds, type RawTopicId } from './raw-topics';
import { LOADER_CONFIG, LOADER_CONSUMER_TUNING } from './tokens';
import type { LoaderConfig } from '@staysync/config';

/** the loaders' consumer group, after the topic prefix (environments sharing a cluster stay apart) */
export const LOADER_GROUP_ID = 'staysync-loader';

/** Consumer timings and retry backoff; tests shorten them. */
export type ConsumerTuning = Pick<BatchConsumerSpec<RawTopicId>, 'consumerOptions' | 'retryBackoff'>;

/** Starts the raw-response consumer; the factory drains it on shutdown (before the producer closes). */
@Injectable()
export class RawResponsesConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly consumers: BatchConsumerFactory,
    private readonly loader: LoaderService,
    @Inject(LOADER_CONSUMER_TUNING) private readonly tuning: ConsumerTuning,
    @Inject(LOADER_CONFIG) private readonly config: LoaderConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const consumer = this.consumers.create({
      groupId: `${this.config.kafka.topicPrefix}${LOADER_GROUP_ID}`,
      topics: rawTopicIds(),
      // a new loader group must not skip what the fetchers already published
      fromBeginning: true,
      // partitions are fetched side by side and their batches loaded together, one transaction per group
      partitionsConsumedConcurrently: 4,
      handler: groupCommit((batch) => this.loader.handleRawBatch(batch)),
      ...this.tuning,
    });
    await consumer.start();
  }
}
