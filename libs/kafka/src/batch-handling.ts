import type { DeadLetterStage, TopicId, TopicValue } from '@staysync/contracts';
import type { Batch, IHeaders, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { ValueCodec } from './codec';
import { deadLetterMessage } from './dlq';
import { InvalidMessageError } from './errors';
import type { KafkaMetrics } from './metrics';
import type { KafkaProducer, OutgoingMessage } from './producer';

/** A consumed message whose value decoded and matched its topic's schema. */
export interface DecodedMessageOf<K extends TopicId> {
  topicId: K;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: TopicValue<K>;
  /** the bytes `value` was decoded from */
  valueBytes: Buffer;
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

/** What one batch came to once its dead letters were sent. */
export interface BatchOutcome {
  handled: number;
  deadLettered: number;
}

export interface BatchHandlingOptions<T extends TopicId> {
  groupId: string;
  /** the consumed topics by their name on the wire */
  topicIds: Map<string, T>;
  codec: ValueCodec;
  handler: BatchHandler<T>;
  /** sends the dead letters */
  producer: KafkaProducer;
  log: Logger;
  metrics?: KafkaMetrics;
}

/**
 * One batch from its bytes to its dead letters, before anything is committed:
 *
 *   decode + validate each message ─ poison → dead letter (stage decode/validate)
 *   handler(good messages)         ─ returns poison → dead letter (stage parse/load)
 *   send the dead letters
 *
 * It throws when the batch must come again: the handler threw, the dead letters could not be sent, or
 * a message could not be decoded for a reason other than its content (an unreachable registry).
 */
export function batchHandling<T extends TopicId>(
  options: BatchHandlingOptions<T>,
): (batch: Batch) => Promise<BatchOutcome> {
  const { groupId, topicIds, codec, handler, producer, log, metrics } = options;

  async function handleBatch(batch: Batch): Promise<BatchOutcome> {
    const topicId = topicIds.get(batch.topic)!;
    const decoded: DecodedMessage<T>[] = [];
    const deadLetters: OutgoingMessage<'dlq'>[] = [];
    for (const message of batch.messages) {
      // a tombstone (no value) deletes its key on a compacted topic: nothing to handle
      const bytes = message.value;
      if (bytes === null) continue;
      try {
        const value = await codec.decode(topicId, bytes);
        decoded.push(decodedMessage(topicId, batch, message, value, bytes));
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

  return handleBatch;
}

function decodedMessage<T extends TopicId>(
  topicId: T,
  batch: Batch,
  message: KafkaMessage,
  value: TopicValue<T>,
  valueBytes: Buffer,
): DecodedMessage<T> {
  const decoded: DecodedMessageOf<T> = {
    topicId,
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value,
    valueBytes,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
  // DecodedMessageOf<T> for a union T is one member of DecodedMessage<T>; TypeScript cannot see that
  return decoded;
}
