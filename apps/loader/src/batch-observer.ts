import type { RawTopicId } from '@staysync/contracts';
import type { BatchResult, DecodedMessage } from '@staysync/kafka';

/** How one handled batch ended, told to whoever watches the loader's batches. */
export interface ObservedBatch {
  succeeded(result: BatchResult<RawTopicId>): void;
  failed(error: unknown): void;
}

/**
 * Sees every raw batch the loader handles, from the start of its handling to its COMMIT (or failure):
 * the benchmark times batches with it. It only watches; the batch's outcome is the loader's.
 */
export interface LoaderBatchObserver {
  batchStarted(messages: readonly DecodedMessage<RawTopicId>[]): ObservedBatch;
}
