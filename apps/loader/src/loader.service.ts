import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { LoaderConfig } from '@staysync/config';
import { groupCommit, type Row } from '@staysync/core';
import { PG_POOL } from '@staysync/db';
import { KafkaProducerService, type BatchResult, type DecodedMessage } from '@staysync/kafka';
import { METRICS_REGISTRY } from '@staysync/observability';
import { createPipelineMetrics, parseEnvelopes, writeParsed, type ParsedEnvelopes, type PipelineMetrics } from '@staysync/pipeline';
import { airbnbMetricMessages } from './metric-messages';
import type { RawTopicId } from './raw-topics';
import { LOADER_CONFIG, LOADER_LOGGER } from './tokens';

/** a group of batches written in one transaction stops growing at this many responses */
const MAX_GROUP_RESPONSES = 1000;

/** What a group's write hands back to each of its batches (an object: awaiting it must not wait for the publish). */
interface Written {
  /** settles once the group's stored rows are on airbnb.metrics */
  published: Promise<void>;
}

/**
 * One consumed batch of raw responses → database:
 *
 *   parse (CPU work, beside other batches' writes)
 *   → write (group commit: the batches that arrive while a transaction is in flight share the next one)
 *   → publish the rows as stored (after the commit, beside the next group's write, in group order)
 *   → return the poison for the DLQ; the consumer then commits the offsets
 *
 * Any failure throws, so the batch is redelivered and nothing is committed (at least once: the reload
 * is idempotent and the rows are published again).
 */
@Injectable()
export class LoaderService {
  private readonly metrics: PipelineMetrics;
  private readonly write: (parsed: ParsedEnvelopes) => Promise<Written>;
  private lastPublish: Promise<void> = Promise.resolve();

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(LOADER_CONFIG) private readonly config: LoaderConfig,
    @Inject(LOADER_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly producer: KafkaProducerService,
  ) {
    this.metrics = createPipelineMetrics(registry);
    this.write = groupCommit(
      async (group: ParsedEnvelopes[]): Promise<Written> => {
        const stopTimer = this.metrics.transactionSeconds.startTimer();
        const written = await writeParsed(pool, group, { returnStored: config.publishMetrics });
        const seconds = stopTimer();
        this.metrics.transactionResponses.observe(written.responses);
        this.logger.debug({ batches: group.length, responses: written.responses, ms: Math.round(seconds * 1000) }, 'transaction committed');
        return { published: this.publish(written.storedRows) };
      },
      { maxSize: MAX_GROUP_RESPONSES, sizeOf: (parsed) => parsed.sources.reduce((n, s) => n + s.envelopes.length, 0) },
    );
  }

  async handleRawBatch(messages: DecodedMessage<RawTopicId>[]): Promise<BatchResult<RawTopicId>> {
    const parsed = parseEnvelopes(
      messages.map((m) => m.value),
      { metrics: this.metrics, logger: this.logger },
    );
    const { published } = await this.write(parsed);
    await published;
    return {
      dlq: parsed.poison.map(({ index, error, parserVersion }) => ({ message: messages[index], error, stage: 'parse' as const, parserVersion })),
    };
  }

  /** Chained after the previous group's publish, so a key's messages keep the order of its writes. */
  private publish(storedRows: Array<{ table: string; row: Row }>): Promise<void> {
    const messages = airbnbMetricMessages(storedRows, new Date());
    // a batch's later batches wait for its handler anyway, so nothing to publish means nothing to wait for
    if (messages.length === 0) return Promise.resolve();
    const sent = this.lastPublish
      .catch(() => undefined)
      .then(() => this.producer.send('airbnb.metrics', messages))
      .then(() => undefined);
    this.lastPublish = sent;
    return sent;
  }
}
