import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { LoaderConfig } from '@staysync/config';
import { rawTopicIds, type RawTopicId } from '@staysync/contracts';
import { BatchConsumerFactory, type BatchConsumerSpec } from '@staysync/kafka';
import { LoaderService } from './loader.service';
import { LOADER_CONFIG, LOADER_CONSUMER_TUNING } from './tokens';

/** the loaders' consumer group, after the topic prefix (environments sharing a cluster stay apart) */
export const LOADER_GROUP_ID = 'staysync-loader';

/** partitions fetched side by side; their batches are parsed at once and written together */
const PARTITIONS_AT_ONCE = 4;

/** Consumer timings and retry backoff; tests shorten them. */
export type ConsumerTuning = Pick<BatchConsumerSpec<RawTopicId>, 'consumerOptions' | 'retryBackoff'>;

/**
 * Starts the raw-response consumer, pipelined: while one fetch's batches are in the database (or being
 * published), the next fetch is decoded and parsed, and its batches join the next transaction; offsets
 * are committed as batches finish. The factory drains it on shutdown (before the producer closes).
 */
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
      partitionsConsumedConcurrently: PARTITIONS_AT_ONCE,
      // about two fetches' worth: one being written, one being decoded and parsed
      maxBatchesInFlight: 2 * PARTITIONS_AT_ONCE,
      handler: (batch) => this.loader.handleRawBatch(batch),
      ...this.tuning,
    });
    await consumer.start();
  }
}
