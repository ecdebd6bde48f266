import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { LoaderConfig } from '@staysync/config';
import { PG_POOL } from '@staysync/db';
import { KafkaProducerService, type BatchResult, type DecodedMessage } from '@staysync/kafka';
import { METRICS_REGISTRY } from '@staysync/observability';
import { createPipelineMetrics, loadEnvelopes, type PipelineMetrics } from '@staysync/pipeline';
import { airbnbMetricMessages } from './metric-messages';
import type { RawTopicId } from './raw-topics';
import { LOADER_CONFIG, LOADER_LOGGER } from './tokens';

/**
 * One consumed batch of raw responses → database. Poison responses go back to the consumer for the
 * DLQ; any other failure throws, so the batch is redelivered and nothing is committed. Loaded metric
 * rows are published after the database commit (at least once: a failed publish redelivers the batch,
 * whose reload is idempotent).
 */
@Injectable()
export class LoaderService {
  private readonly metrics: PipelineMetrics;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOADER_CONFIG) private readonly config: LoaderConfig,
    @Inject(LOADER_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly producer: KafkaProducerService,
  ) {
    this.metrics = createPipelineMetrics(registry);
  }

  async handleRawBatch(messages: DecodedMessage<RawTopicId>[]): Promise<BatchResult<RawTopicId>> {
    const result = await loadEnvelopes(
      this.pool,
      messages.map((m) => m.value),
      { metrics: this.metrics, logger: this.logger },
    );
    if (this.config.publishMetrics) {
      const metricMessages = airbnbMetricMessages(result.loadedRows, new Date());
      if (metricMessages.length > 0) await this.producer.send('airbnb.metrics', metricMessages);
    }
    return {
      dlq: result.poison.map(({ index, error, parserVersion }) => ({ message: messages[index], error, stage: 'parse' as const, parserVersion })),
    };
  }
}
