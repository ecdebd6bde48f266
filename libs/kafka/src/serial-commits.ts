import type { EachBatchPayload } from 'kafkajs';
import type { BatchOutcome } from './batch-handling';
import { keepHeartbeating, type CommitStrategy, type CommitStrategyContext } from './commit-strategy';

/**
 * One batch at a time: kafkajs fetches again only once eachBatch returned, and eachBatch returns once
 * the batch is handled and its offsets committed. A failed batch stays unresolved and uncommitted; its
 * partition is paused and resumed after the backoff, and kafkajs fetches it again from the last
 * resolved offset. Nothing outlives eachBatch, so there is nothing in flight to forget or drain.
 */
export function serialCommits(context: CommitStrategyContext): CommitStrategy {
  const { handleBatch, outcomes, log, heartbeatEveryMs } = context;

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const started = performance.now();
    const stopHeartbeats = keepHeartbeating(
      payload,
      heartbeatEveryMs,
      log,
      'heartbeat during a batch failed',
    );
    try {
      let outcome: BatchOutcome;
      try {
        outcome = await handleBatch(batch);
      } catch (error) {
        leaveForRedelivery(payload, error);
        return;
      }
      payload.resolveOffset(batch.lastOffset());
      // with autoCommit off, kafkajs commits only the offsets it is given
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      outcomes.committed(batch, outcome, started);
    } finally {
      stopHeartbeats();
    }
  }

  function leaveForRedelivery(payload: EachBatchPayload, error: unknown): void {
    const delayMs = outcomes.failed(payload.batch, error);
    // stopping: the batch stays uncommitted and the next owner of the partition gets it
    if (!payload.isRunning()) return;
    const resume = payload.pause();
    outcomes.resumeAfter(payload.batch, delayMs, resume);
  }

  return {
    eachBatch,
    forgetInFlight: () => undefined,
    // kafkajs's stop waits for the batch in flight, and eachBatch commits before it returns
    beforeStop: async () => undefined,
    drain: async () => undefined,
  };
}
