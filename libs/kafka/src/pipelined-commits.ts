import type { Batch, Consumer, EachBatchPayload } from 'kafkajs';
import type { BatchOutcome } from './batch-handling';
import { partitionKey } from './batch-outcomes';
import { keepHeartbeating, type CommitStrategy, type CommitStrategyContext } from './commit-strategy';

export interface PipelinedCommitsOptions extends CommitStrategyContext {
  /** batches handed over and not yet settled; eachBatch waits while this many are in flight */
  maxBatchesInFlight: number;
  /** the consumed topics, paused at the stop */
  topicNames: string[];
  /** the current kafkajs consumer (a new one after each crash) */
  currentConsumer: () => Consumer | undefined;
  /** joined, consuming and not stopping: only then is a failed batch's partition rewound */
  isConsuming: () => boolean;
}

/** Per partition: completions are committed in order; a rewind or rebalance starts a new epoch. */
interface PartitionPipeline {
  epoch: number;
  /** the previous batch's completion: the next one commits after it */
  tail: Promise<void>;
}

/**
 * Pipelined: eachBatch starts the batch and returns, so kafkajs goes on fetching (and decoding) while
 * the handler works, up to `maxBatchesInFlight` batches. Each batch's offsets are committed when it
 * (and every earlier batch of its partition) finished. A failed batch rewinds its partition to its
 * first offset after a backoff, and the batches after it are not committed (they come again); a
 * rebalance or a crash likewise.
 */
export function pipelinedCommits(options: PipelinedCommitsOptions): CommitStrategy {
  const { handleBatch, outcomes, log, heartbeatEveryMs, maxBatchesInFlight } = options;
  const pipelines = new Map<string, PartitionPipeline>();
  const inFlight = new Set<Promise<void>>();

  /** Returns once fewer than maxBatchesInFlight batches are in flight. */
  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const started = performance.now();
    const key = partitionKey(batch);
    const pipeline =
      pipelines.get(key) ?? pipelines.set(key, { epoch: 0, tail: Promise.resolve() }).get(key)!;
    const epoch = pipeline.epoch;
    const work = handleBatch(batch);
    // awaited below, in offset order; until then a failure must not count as an unhandled rejection
    work.catch(() => undefined);
    payload.resolveOffset(batch.lastOffset());
    const done = pipeline.tail
      .then(async () => {
        let outcome: BatchOutcome;
        try {
          outcome = await work;
        } catch (error) {
          if (pipeline.epoch === epoch) rewind(batch, pipeline, error);
          return;
        }
        // an earlier batch of the partition failed, or the group rebalanced: this one comes again
        if (pipeline.epoch !== epoch) return;
        await commit(batch);
        outcomes.committed(batch, outcome, started);
      })
      .catch((error: unknown) =>
        log.error(
          { err: error, topic: batch.topic, partition: batch.partition },
          'settling a pipelined batch failed',
        ),
      );
    pipeline.tail = done;
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));

    if (inFlight.size < maxBatchesInFlight) return;
    const stopHeartbeats = keepHeartbeating(
      payload,
      heartbeatEveryMs,
      log,
      'heartbeat while waiting for batches in flight failed',
    );
    try {
      while (inFlight.size >= maxBatchesInFlight) await Promise.race(inFlight);
    } finally {
      stopHeartbeats();
    }
  }

  async function commit(batch: Batch): Promise<void> {
    const offset = (BigInt(batch.lastOffset()) + 1n).toString();
    try {
      await options
        .currentConsumer()!
        .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    } catch (error) {
      // e.g. the group rebalanced meanwhile: the partition's next owner starts from the last commit
      log.warn(
        { err: error, topic: batch.topic, partition: batch.partition, offset },
        'offset commit failed; the batch will be delivered again',
      );
    }
  }

  /** Back to the batch's first offset after a backoff; batches after it do not commit. */
  function rewind(batch: Batch, pipeline: PartitionPipeline, error: unknown): void {
    pipeline.epoch += 1;
    const delayMs = outcomes.failed(batch, error);
    // stopping; or crashed, and its successor starts from the committed offsets anyway
    if (!options.isConsuming()) return;
    const current = options.currentConsumer()!;
    const topicPartition = { topic: batch.topic, partitions: [batch.partition] };
    current.pause([topicPartition]);
    current.seek({ topic: batch.topic, partition: batch.partition, offset: batch.messages[0].offset });
    outcomes.resumeAfter(batch, delayMs, () => {
      if (current === options.currentConsumer() && options.isConsuming()) current.resume([topicPartition]);
    });
  }

  function forgetInFlight(): void {
    for (const pipeline of pipelines.values()) pipeline.epoch += 1;
  }

  async function beforeStop(consumer: Consumer): Promise<void> {
    // fetch nothing more; what is in flight finishes and commits while we are still in the group
    consumer.pause(options.topicNames.map((topic) => ({ topic })));
    await drain();
  }

  async function drain(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return { eachBatch, forgetInFlight, beforeStop, drain };
}
