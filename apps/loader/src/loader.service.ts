import { Inject, Injectable, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { LoaderConfig } from '@staysync/config';
import { publishedTopics, type RawTopicId } from '@staysync/contracts';
import { groupCommit, type PublishedTopic, type StoredRow } from '@staysync/core';
import { PG_POOL, recordDeadLettered, type DeadLetteredResponse } from '@staysync/db';
import {
  KafkaProducerService,
  type BatchResult,
  type DecodedMessage,
  type PoisonMessage,
} from '@staysync/kafka';
import { METRICS_REGISTRY } from '@staysync/observability';
import {
  countZeroRowJobs,
  createPipelineMetrics,
  keepValueBytes,
  parseEnvelopes,
  tombstonesFor,
  type RawTombstoneSender,
  writeParsed,
  type ParsedEnvelopes,
  type PipelineMetrics,
  type WriteResult,
} from '@staysync/pipeline';
import type { LoaderBatchObserver } from './batch-observer';
import { LOADER_BATCH_OBSERVER, LOADER_CONFIG, LOADER_LOGGER, RAW_TOMBSTONES } from './tokens';

/** a group of batches written in one transaction stops growing at this many responses */
const MAX_GROUP_RESPONSES = 1000;
/**
 * Transactions in flight at once, one per lane: while one commits, another is sent. A partition always
 * writes through the same lane (partition number modulo lanes), so its batches commit in offset order;
 * lanes hold different partitions, i.e. different listings (raw topics are partitioned per listing).
 */
const WRITE_LANES = 2;
/** job ids whose missing job was already logged: each is logged once while it stays among the most recent */
const LOGGED_MISSING_JOBS = 10_000;

/** What a group's write hands back to each of its batches (an object: awaiting it must not wait for the publish). */
interface Written {
  /** settles once the group's stored rows are on the topics their sources publish */
  published: Promise<void>;
}

/**
 * One consumed batch of raw responses → database:
 *
 *   parse (CPU work, beside other batches' writes)
 *   → write (group commit in the partition's lane: the batches that arrive while the lane's transaction
 *     is in flight share its next one; the other lane's transaction runs meanwhile)
 *   → publish the rows as stored (after the commit, beside the next writes, in the order writes end)
 *   → return the poison for the DLQ; the consumer then commits the offsets
 *
 * Any failure throws, so the batch is redelivered and nothing is committed (at least once: the reload
 * is idempotent and the rows are published again).
 */
@Injectable()
export class LoaderService implements OnApplicationShutdown {
  private readonly metrics: PipelineMetrics;
  /** where stored rows go after each commit (LOADER_PUBLISHED_TOPICS) */
  private readonly published: readonly PublishedTopic[];
  private readonly lanes: Array<(parsed: ParsedEnvelopes) => Promise<Written>>;
  private lastPublish: Promise<void> = Promise.resolve();
  private readonly loggedMissingJobs = new LRUCache<string, true>({ max: LOGGED_MISSING_JOBS });

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(LOADER_CONFIG) private readonly config: LoaderConfig,
    @Inject(LOADER_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly producer: KafkaProducerService,
    @Optional() @Inject(RAW_TOMBSTONES) private readonly tombstones?: RawTombstoneSender,
    @Optional() @Inject(LOADER_BATCH_OBSERVER) private readonly observer?: LoaderBatchObserver,
  ) {
    this.metrics = createPipelineMetrics(registry);
    this.published = publishedTopics().filter((topic) => config.publishedTopics.includes(topic.id));
    this.lanes = Array.from({ length: WRITE_LANES }, () =>
      groupCommit((group: ParsedEnvelopes[]) => this.writeGroup(group), {
        maxSize: MAX_GROUP_RESPONSES,
        sizeOf: (parsed) => parsed.sources.reduce((n, s) => n + s.envelopes.length, 0),
      }),
    );
  }

  async handleRawBatch(messages: DecodedMessage<RawTopicId>[]): Promise<BatchResult<RawTopicId>> {
    const observed = this.observer?.batchStarted(messages);
    if (!observed) return this.loadBatch(messages);
    try {
      const result = await this.loadBatch(messages);
      observed.succeeded(result);
      return result;
    } catch (error) {
      observed.failed(error);
      throw error;
    }
  }

  private async loadBatch(messages: DecodedMessage<RawTopicId>[]): Promise<BatchResult<RawTopicId>> {
    const parsed = parseEnvelopes(
      messages.map((m) => keepValueBytes(m.value, m.valueBytes)),
      { metrics: this.metrics, logger: this.logger },
    );
    const unparseable = parsed.poison.map(({ index, error, parserVersion }) => ({
      message: messages[index],
      error,
      stage: 'parse' as const,
      parserVersion,
    }));
    const lane = this.lanes[(messages[0]?.partition ?? 0) % this.lanes.length];
    const dlq = [...unparseable, ...(await this.load(messages, parsed, lane))];
    // before the consumer sends them and commits: a redelivery records them again, once
    const recorded = await recordDeadLettered(this.pool, dlq.flatMap(deadLetteredResponse));
    countZeroRowJobs(recorded.finished, this.metrics);
    this.reportMissingJobs(recorded.withoutJob, messages);
    return { dlq };
  }

  /**
   * Dead letters naming a job that does not exist go to the DLQ topic but not against a job: counted,
   * and logged once per job id (a replayed topic or a deleted account can bring thousands).
   */
  private reportMissingJobs(
    withoutJob: DeadLetteredResponse[],
    messages: DecodedMessage<RawTopicId>[],
  ): void {
    if (withoutJob.length === 0) return;
    const source = messages[0]?.value.source ?? 'unknown';
    for (const letter of withoutJob) {
      this.metrics.deadLettersWithoutJob.inc({ source, stage: letter.stage });
      if (this.loggedMissingJobs.has(letter.jobId)) continue;
      this.loggedMissingJobs.set(letter.jobId, true);
      this.logger.warn(
        {
          jobId: letter.jobId,
          source,
          stage: letter.stage,
          requestKey: letter.requestKey,
          reason: letter.reason,
        },
        'dead letter of a job that does not exist: not recorded against a job (logged once per job)',
      );
    }
  }

  /** Writes (group commit) and publishes the parsed batch; returns what the database refused. */
  private async load(
    messages: DecodedMessage<RawTopicId>[],
    parsed: ParsedEnvelopes,
    write: (parsed: ParsedEnvelopes) => Promise<Written>,
  ): Promise<PoisonMessage<RawTopicId>[]> {
    try {
      const { published } = await write(parsed);
      await published;
      return [];
    } catch (error) {
      if (!isDataError(error)) throw error;
      // A value PostgreSQL refuses (out of range, too long, …) fails the whole transaction, and would
      // fail it again on every redelivery. The group's other batches fail with it: each retries alone,
      // and the one that fails alone is loaded response by response to find what to dead-letter.
      try {
        await this.writeAloneAndPublish(parsed);
        return [];
      } catch (aloneError) {
        if (!isDataError(aloneError)) throw aloneError;
        this.logger.warn(
          { err: aloneError },
          'the database refuses a value in this batch: loading it response by response',
        );
        return this.loadOneByOne(messages, parsed);
      }
    }
  }

  /** One group commit: a transaction per source, then its stored rows go to the topics their sources publish. */
  private async writeGroup(group: ParsedEnvelopes[]): Promise<Written> {
    const stopTimer = this.metrics.transactionSeconds.startTimer();
    const written = await writeParsed(this.pool, group, {
      returnStored: this.published.length > 0,
      metrics: this.metrics,
    });
    const seconds = stopTimer();
    await this.tombstoneRefused(written);
    this.metrics.transactionResponses.observe(written.responses);
    this.logger.debug(
      { batches: group.length, responses: written.responses, ms: Math.round(seconds * 1000) },
      'transaction committed',
    );
    return { published: this.publish(written.storedRows) };
  }

  /**
   * Each response in its own transaction; the ones the database refuses come back as poison. An
   * unparseable one (already dead-lettered at stage parse) the raw store refuses is only not kept.
   */
  private async loadOneByOne(
    messages: DecodedMessage<RawTopicId>[],
    parsed: ParsedEnvelopes,
  ): Promise<PoisonMessage<RawTopicId>[]> {
    const refused: PoisonMessage<RawTopicId>[] = [];
    const poisonIndexes = new Set(parsed.poison.map((p) => p.index));
    for (const [index, message] of messages.entries()) {
      const single = parseEnvelopes([message.value]);
      try {
        await this.writeAloneAndPublish(single);
      } catch (error) {
        if (!isDataError(error)) throw error;
        if (poisonIndexes.has(index)) {
          this.logger.warn(
            { err: error, requestKey: message.value.requestKey },
            'the raw store refuses an unparseable response: dead-lettered, not kept for a replay',
          );
        } else {
          refused.push({
            message,
            error,
            stage: 'load',
            parserVersion: single.sources[0]?.parserVersion ?? null,
          });
        }
      }
    }
    return refused;
  }

  /** Outside the group commit: its own transaction, then its stored rows published. */
  private async writeAloneAndPublish(parsed: ParsedEnvelopes): Promise<void> {
    const written = await writeParsed(this.pool, [parsed], {
      returnStored: this.published.length > 0,
      metrics: this.metrics,
    });
    await this.tombstoneRefused(written);
    await this.publish(written.storedRows);
  }

  /**
   * Records of hard-deleted accounts that reach the loader (in flight during the delete, or produced
   * after it) were refused; a tombstone for each lets compaction remove them from the raw topic too.
   * Before the offsets commit: a failure redelivers the batch and tombstones again.
   */
  private async tombstoneRefused(written: WriteResult): Promise<void> {
    if (written.refused.length === 0 || !this.tombstones) return;
    for (const source of new Set(written.refused.map((e) => e.source))) {
      await this.tombstones.send(source, tombstonesFor(written.refused.filter((e) => e.source === source)));
    }
    this.logger.info(
      { refused: written.refused.length },
      'refused envelopes of hard-deleted accounts; raw-topic records tombstoned',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.tombstones?.disconnect();
  }

  /**
   * The configured published topics get their messages for the stored rows (a topic's `messages()`
   * ignores other tables). Chained after the previous group's publish, so a key's messages
   * keep the order of its writes.
   */
  private publish(storedRows: StoredRow[]): Promise<void> {
    const loadedAt = new Date();
    const sends = this.published
      .map((topic) => ({ id: topic.id, messages: topic.messages(storedRows, loadedAt) }))
      .filter((send) => send.messages.length > 0);
    // a batch's later batches wait for its handler anyway, so nothing to publish means nothing to wait for
    if (sends.length === 0) return Promise.resolve();
    const sent = this.lastPublish
      .catch(() => undefined)
      .then(() => Promise.all(sends.map(({ id, messages }) => this.producer.send(id, messages))))
      .then(() => undefined);
    this.lastPublish = sent;
    return sent;
  }
}

function deadLetteredResponse({
  message,
  error,
  stage,
  parserVersion,
}: PoisonMessage<RawTopicId>): DeadLetteredResponse[] {
  const { jobId, requestKey } = message.value;
  if (typeof jobId !== 'string' || !UUID.test(jobId) || typeof requestKey !== 'string') return [];
  return [
    {
      jobId,
      requestKey,
      stage,
      reason: error instanceof Error ? error.message : String(error),
      parserVersion: parserVersion ?? null,
    },
  ];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * SQLSTATE classes 22 (data exception: out of range, too long, bad format) and 23 (integrity
 * constraint violation): the same rows fail the same way every time, unlike a deadlock, a
 * serialization failure or a lost connection, which a redelivery gets past.
 */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}
