/**
 * One error base, three kinds (see docs/architecture.md "Errors"):
 * - transient: back off and retry (5xx, 429, timeouts, network, deadlocks)
 * - account:   credentials rejected; mark the account needs_reauth and stop its job
 * - poison:    the input can never succeed (schema/parse failure); DLQ it and commit
 * A TypeError (a bug) is never retried.
 */
export type ErrorKind = 'transient' | 'account' | 'poison' | 'fatal';

export interface StaysyncErrorOptions {
  cause?: unknown;
  context?: Record<string, unknown>;
  retryAfterMs?: number;
}

export class StaysyncError extends Error {
  readonly kind: ErrorKind;
  readonly context: Record<string, unknown>;
  readonly retryAfterMs?: number;

  constructor(kind: ErrorKind, message: string, options: StaysyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.context = options.context ?? {};
    this.retryAfterMs = options.retryAfterMs;
  }

  get retriable(): boolean {
    return this.kind === 'transient';
  }
}

export class TransientError extends StaysyncError {
  constructor(message: string, options: StaysyncErrorOptions = {}) {
    super('transient', message, options);
  }
}

export class AccountAuthError extends StaysyncError {
  constructor(message: string, options: StaysyncErrorOptions = {}) {
    super('account', message, options);
  }
}

export class PoisonMessageError extends StaysyncError {
  constructor(message: string, options: StaysyncErrorOptions = {}) {
    super('poison', message, options);
  }
}

export class FatalRequestError extends StaysyncError {
  constructor(message: string, options: StaysyncErrorOptions = {}) {
    super('fatal', message, options);
  }
}

/** True when retrying might help: our transient kind, never a programming error. */
export function isRetriable(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof ReferenceError) return false;
  if (error instanceof StaysyncError) return error.retriable;
  return false;
}
