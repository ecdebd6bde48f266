import { KafkaJSError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { PoisonMessageError, TransientError, type StaysyncErrorOptions } from '@staysync/core';

/**
 * A consumed value that can never be processed: its bytes do not decode (`decode`) or it does not
 * match the topic's schema (`validate`). The consumer sends it to the DLQ and moves on.
 */
export class InvalidMessageError extends PoisonMessageError {
  constructor(
    readonly stage: 'decode' | 'validate',
    message: string,
    options: StaysyncErrorOptions = {},
  ) {
    super(message, options);
  }
}

/**
 * A value our own code tried to produce that does not match the topic's schema: a bug, so it is
 * neither retried nor dead-lettered, and nothing is sent.
 */
export class InvalidOutgoingMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidOutgoingMessageError';
  }
}

/**
 * Broker trouble kafkajs calls retriable (a partition without a leader for a moment, a broker going
 * away), or that outlasted kafkajs's own retries, becomes a TransientError that says what failed;
 * anything else passes through.
 */
export function brokerTrouble(error: unknown, what: string): unknown {
  if (error instanceof KafkaJSNumberOfRetriesExceeded || (error instanceof KafkaJSError && error.retriable)) {
    return new TransientError(`${what} failed: ${error.message}`, { cause: error });
  }
  return error;
}
