import { isRetriable, StaysyncError } from '@staysync/core';
import type { Batch } from 'kafkajs';
import type { Logger } from 'pino';
import { PartitionRetries, type BackoffOptions } from './backoff';
import type { BatchOutcome } from './batch-handling';
import type { KafkaMetrics } from './metrics';

export interface BatchConsumerStats {
  batches: number;
  messages: number;
  deadLetters: number;
  retries: number;
}

/** The key a batch's partition is tracked by. */
export function partitionKey(batch: Batch): string {
  return `${batch.topic}:${batch.partition}`;
}

/**
 * What became of one consumer group's batches, whichever way they are committed: the counts behind
 * stats(), the metrics, the logs, and the backoff before a failed batch's partition is resumed.
 */
export class BatchOutcomes {
  private readonly counts: BatchConsumerStats = { batches: 0, messages: 0, deadLetters: 0, retries: 0 };
  private readonly retries: PartitionRetries;

  constructor(
    private readonly groupId: string,
    private readonly log: Logger,
    private readonly metrics: KafkaMetrics | undefined,
    backoff: BackoffOptions,
  ) {
    this.retries = new PartitionRetries(backoff);
  }

  /** A batch handled and committed: its partition's backoff starts over. */
  committed(batch: Batch, outcome: BatchOutcome, started: number): void {
    this.retries.succeeded(partitionKey(batch));
    this.counts.batches += 1;
    this.counts.messages += batch.messages.length;
    this.counts.deadLetters += outcome.deadLettered;
    const labels = { topic: batch.topic, group: this.groupId };
    this.metrics?.consumedMessages.inc(labels, batch.messages.length);
    this.metrics?.batchSeconds.observe(labels, (performance.now() - started) / 1000);
  }

  /** Counts and logs a failed batch; returns how long its partition waits before the redelivery. */
  failed(batch: Batch, error: unknown): number {
    const retryAfterMs = error instanceof StaysyncError ? error.retryAfterMs : undefined;
    const { attempt, delayMs } = this.retries.failed(partitionKey(batch), retryAfterMs);
    this.counts.retries += 1;
    this.metrics?.handlerRetries.inc({ topic: batch.topic, group: this.groupId });
    // a non-retriable error (a bug) is retried too, so nothing is lost, but it is logged as an error
    this.log[isRetriable(error) ? 'warn' : 'error'](
      {
        err: error,
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: batch.messages[0]?.offset,
        attempt,
        delayMs,
      },
      'batch failed: not committed, redelivering after backoff',
    );
    return delayMs;
  }

  /** Resumes the failed batch's partition after `delayMs`, unless cancelResumes() comes first. */
  resumeAfter(batch: Batch, delayMs: number, resume: () => void): void {
    this.retries.schedule(partitionKey(batch), delayMs, resume);
  }

  cancelResumes(): void {
    this.retries.cancelAll();
  }

  stats(): BatchConsumerStats {
    return { ...this.counts };
  }
}
