import type { Batch, Consumer, EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import type { BatchOutcome } from './batch-handling';
import type { BatchOutcomes } from './batch-outcomes';

/**
 * How a consumer's batches go through the handler and get their offsets committed: one at a time
 * (serial-commits.ts) or pipelined (pipelined-commits.ts). The consumer's lifecycle (consumer.ts)
 * tells it about rebalances, crashes and the stop.
 */
export interface CommitStrategy {
  /** kafkajs's eachBatch, for a non-empty batch of a running, non-stale fetch */
  eachBatch(payload: EachBatchPayload): Promise<void>;
  /** the group was (re)joined or the consumer crashed: batches still in flight must not commit */
  forgetInFlight(): void;
  /** the stop, before kafkajs's consumer.stop(), while the consumer is still in the group */
  beforeStop(consumer: Consumer): Promise<void>;
  /** resolves once no batch is in flight */
  drain(): Promise<void>;
}

/** What both strategies work with. */
export interface CommitStrategyContext {
  /** decode → handler → dead letters (batch-handling.ts); throws when the batch must come again */
  handleBatch: (batch: Batch) => Promise<BatchOutcome>;
  outcomes: BatchOutcomes;
  log: Logger;
  heartbeatEveryMs: number;
}

/**
 * Heartbeats every `everyMs` until the returned function is called: a long wait inside eachBatch must
 * not cost us the group membership (kafkajs throttles heartbeats itself).
 */
export function keepHeartbeating(
  payload: EachBatchPayload,
  everyMs: number,
  log: Logger,
  failureMessage: string,
): () => void {
  const keepAlive = setInterval(() => {
    payload.heartbeat().catch((error: unknown) => log.debug({ err: error }, failureMessage));
  }, everyMs);
  return () => clearInterval(keepAlive);
}
