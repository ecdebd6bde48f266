import type { DeadLetterStage, TopicId, TopicValue } from '@staysync/contracts';
import { isRetriable, StaysyncError } from '@staysync/core';
import type { Batch, ConsumerConfig, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { DEFAULT_BACKOFF, PartitionRetries, type BackoffOptions } from './backoff';
import type { ValueCodec } from './codec';
import { deadLetterMessage } from './dlq';
import { InvalidMessageError } from './errors';
import type { KafkaMetrics } from './metrics';
import type { KafkaProducer, OutgoingMessage } from './producer';
import type { KafkaSettings } from './settings';
import { topicIdsByName } from './topic-names';

/** A consumed message whose value decoded and matched its topic's schema. */
export interface DecodedMessageOf<K extends TopicId> {
  topicId: K;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: TopicValue<K>;
  headers: IHeaders;
  /** ms since epoch, as kafkajs gives it */
  timestamp: string;
}

/** One of the consumed topics' decoded messages (a union discriminated by `topicId`). */
export type DecodedMessage<T extends TopicId = TopicId> = { [K in T]: DecodedMessageOf<K> }[T];

/** A message the handler found to be poison: it goes to the DLQ and is committed. */
export interface PoisonMessage<T extends TopicId = TopicId> {
  message: DecodedMessage<T>;
  error: unknown;
  stage: DeadLetterStage;
  parserVersion?: number | null;
}

export interface BatchResult<T extends TopicId = TopicId> {
  dlq?: PoisonMessage<T>[];
}

/**
 * Handles one kafkajs batch (messages of one topic-partition, in offset order). Return the poison
 * messages; throw to have the whole batch redelivered after a backoff (nothing is committed).
 */
export type BatchHandler<T extends TopicId> = (batch: DecodedMessage<T>[]) => Promise<BatchResult<T> | void>;

export interface BatchConsumerOptions<T extends TopicId> {
  kafka: Kafka;
  settings: KafkaSettings;
  groupId: string;
  topics: readonly T[];
  codec: ValueCodec;
  logger: Logger;
  /** sends the dead letters */
  producer: KafkaProducer;
  handler: BatchHandler<T>;
  /** where a group without committed offsets starts; default: the end */
  fromBeginning?: boolean;
  metrics?: KafkaMetrics;
  /** passed to kafkajs (sessionTimeout, heartbeatInterval, maxWaitTimeInMs, …) */
  consumerOptions?: Omit<ConsumerConfig, 'groupId'>;
  /** kafkajs batches (partitions) handled at once; default 1 */
  partitionsConsumedConcurrently?: number;
  /** delay between redeliveries of a failing batch */
  retryBackoff?: Partial<BackoffOptions>;
}

export interface BatchConsumerStats {
  batches: number;
  messages: number;
  deadLetters: number;
  retries: number;
}

export interface BatchConsumer {
  readonly groupId: string;
  /** connects, subscribes and resolves once the group is joined */
  start(): Promise<void>;
  /** lets the batch in flight finish and commit, leaves the group, disconnects */
  stop(): Promise<void>;
  /** counts since start, for tests and diagnostics (Prometheus has the same via metrics) */
  stats(): BatchConsumerStats;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * A kafkajs `eachBatch` consumer that commits only after side effects:
 *
 *   decode + validate each message ─ poison → dead letter (stage decode/validate)
 *   handler(good messages)         ─ returns poison → dead letter (stage parse/load)
 *   send dead letters → resolve the batch → commit
 *
 * A handler error (or a failed DLQ send, or an unreachable registry) leaves the batch unresolved and
 * uncommitted: the partition is paused and resumed after an exponential backoff, and kafkajs fetches
 * again from the last resolved offset, so the same messages come back. We do not throw out of
 * eachBatch for this, because kafkajs then retries its whole fetch loop and, once its retries run
 * out, restarts the consumer and rebalances the group; pausing one partition keeps the others
 * flowing and cannot turn into a crash loop.
 */
export function createBatchConsumer<T extends TopicId>(options: BatchConsumerOptions<T>): BatchConsumer {
  const { kafka, settings, groupId, codec, producer, handler, metrics } = options;
  const log = options.logger.child({ component: 'kafka-consumer', groupId });
  const topicIds = topicIdsByName(settings.topicPrefix, options.topics);
  const retries = new PartitionRetries({ ...DEFAULT_BACKOFF, ...options.retryBackoff });
  const heartbeatEveryMs = options.consumerOptions?.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const stats: BatchConsumerStats = { batches: 0, messages: 0, deadLetters: 0, retries: 0 };
  let stopping: Promise<void> | undefined;
  const consumer = kafka.consumer({
    allowAutoTopicCreation: !settings.createTopics,
    ...options.consumerOptions,
    // a crash during shutdown must not schedule a restart that outlives the consumer
    retry: { ...options.consumerOptions?.retry, restartOnFailure: async () => stopping === undefined },
    groupId,
  });

  consumer.on(consumer.events.CRASH, ({ payload }) => {
    const message = payload.restart
      ? 'consumer crashed; kafkajs restarts it'
      : 'consumer crashed and will not restart';
    log[payload.restart ? 'warn' : 'error']({ err: payload.error }, message);
  });

  async function start(): Promise<void> {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topicIds.keys()], fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: processBatch,
    });
    log.info({ topics: [...topicIds.keys()] }, 'consuming');
  }

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    const started = performance.now();
    const partitionKey = `${batch.topic}:${batch.partition}`;
    // a long handler must not cost us the group membership; kafkajs throttles heartbeats itself
    const keepAlive = setInterval(() => {
      payload
        .heartbeat()
        .catch((error: unknown) => log.debug({ err: error }, 'heartbeat during a batch failed'));
    }, heartbeatEveryMs);
    try {
      let outcome: { handled: number; deadLettered: number };
      try {
        outcome = await handleBatch(batch);
      } catch (error) {
        leaveForRedelivery(payload, partitionKey, error);
        return;
      }
      payload.resolveOffset(batch.lastOffset());
      // with autoCommit off, kafkajs commits only the offsets it is given
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      retries.succeeded(partitionKey);
      record(batch, outcome, started);
    } finally {
      clearInterval(keepAlive);
    }
  }

  async function handleBatch(batch: Batch): Promise<{ handled: number; deadLettered: number }> {
    const topicId = topicIds.get(batch.topic)!;
    const decoded: DecodedMessage<T>[] = [];
    const deadLetters: OutgoingMessage<'dlq'>[] = [];
    for (const message of batch.messages) {
      try {
        const value = await codec.decode(topicId, message.value);
        decoded.push(decodedMessage(topicId, batch, message, value));
      } catch (error) {
        // anything else (an unreachable registry) fails the batch and it is redelivered
        if (!(error instanceof InvalidMessageError)) throw error;
        deadLetters.push(deadLetter(batch, message, error, error.stage));
      }
    }

    const result = decoded.length > 0 ? await handler(decoded) : undefined;
    const originals = new Map(batch.messages.map((message) => [message.offset, message]));
    for (const poison of result?.dlq ?? []) {
      const original = originals.get(poison.message.offset);
      if (!original)
        throw new Error(
          `handler returned a dead letter for offset ${poison.message.offset}, which is not in this batch`,
        );
      deadLetters.push(deadLetter(batch, original, poison.error, poison.stage, poison.parserVersion));
    }

    if (deadLetters.length > 0) {
      await producer.send('dlq', deadLetters);
      deadLetters.forEach(reportDeadLetter);
    }
    return { handled: decoded.length, deadLettered: deadLetters.length };
  }

  function deadLetter(
    batch: Batch,
    message: KafkaMessage,
    error: unknown,
    stage: DeadLetterStage,
    parserVersion?: number | null,
  ): OutgoingMessage<'dlq'> {
    return deadLetterMessage({
      topic: batch.topic,
      partition: batch.partition,
      message,
      error,
      stage,
      parserVersion,
      consumerGroup: groupId,
    });
  }

  function reportDeadLetter({ value: letter }: OutgoingMessage<'dlq'>): void {
    const { originalTopic: topic, partition, offset, stage } = letter;
    log.warn(
      { topic, partition, offset, stage, reason: letter.error.message },
      'poison message sent to the DLQ',
    );
    metrics?.deadLetters.inc({ topic, group: groupId, stage });
  }

  function leaveForRedelivery(payload: EachBatchPayload, partitionKey: string, error: unknown): void {
    const { batch } = payload;
    const retryAfterMs = error instanceof StaysyncError ? error.retryAfterMs : undefined;
    const { attempt, delayMs } = retries.failed(partitionKey, retryAfterMs);
    stats.retries += 1;
    metrics?.handlerRetries.inc({ topic: batch.topic, group: groupId });
    // a non-retriable error (a bug) is retried too, so nothing is lost, but it is logged as an error
    log[isRetriable(error) ? 'warn' : 'error'](
      {
        err: error,
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: batch.firstOffset(),
        attempt,
        delayMs,
      },
      'batch failed: not committed, redelivering after backoff',
    );
    // stopping: the batch stays uncommitted and the next owner of the partition gets it
    if (!payload.isRunning()) return;
    const resume = payload.pause();
    retries.schedule(partitionKey, delayMs, resume);
  }

  function record(batch: Batch, outcome: { handled: number; deadLettered: number }, started: number): void {
    stats.batches += 1;
    stats.messages += batch.messages.length;
    stats.deadLetters += outcome.deadLettered;
    const labels = { topic: batch.topic, group: groupId };
    metrics?.consumedMessages.inc(labels, batch.messages.length);
    metrics?.batchSeconds.observe(labels, (performance.now() - started) / 1000);
    metrics?.consumerLag.set({ ...labels, partition: String(batch.partition) }, Number(batch.offsetLag()));
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      retries.cancelAll();
      // kafkajs's stop waits for the batch in flight; processBatch commits before it returns
      await consumer.stop();
      await consumer.disconnect();
      log.info(stats, 'consumer stopped');
    })();
    return stopping;
  }

  return { groupId, start, stop, stats: () => ({ ...stats }) };
}

function decodedMessage<T extends TopicId>(
  topicId: T,
  batch: Batch,
  message: KafkaMessage,
  value: TopicValue<T>,
): DecodedMessage<T> {
  const decoded: DecodedMessageOf<T> = {
    topicId,
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
  // DecodedMessageOf<T> for a union T is one member of DecodedMessage<T>; TypeScript cannot see that
  return decoded as DecodedMessage<T>;
}
