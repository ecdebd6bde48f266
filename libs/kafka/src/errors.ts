import { PoisonMessageError, type StaysyncErrorOptions } from '@staysync/core';

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
