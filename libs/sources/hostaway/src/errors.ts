import { AccountAuthError, FatalRequestError, type StaysyncErrorOptions } from '@staysync/core';

/**
 * Hostaway answered 403 to a request: the access token was rejected (Hostaway uses 403, not 401, for a
 * bad or expired token). It is an account error unless the token provider can refresh the token once.
 * The rejected token is kept so the provider can tell whether someone already replaced it; it is a
 * non-enumerable property, so JSON serialisation and util.inspect (loggers) never print it.
 */
export class TokenRejectedError extends AccountAuthError {
  declare readonly rejectedToken: string;

  constructor(rejectedToken: string, message: string, options: StaysyncErrorOptions = {}) {
    super(message, options);
    Object.defineProperty(this, 'rejectedToken', { value: rejectedToken, enumerable: false });
  }
}

/** Hostaway answered 404 for one object (e.g. a webhook id it no longer has). */
export class NotFoundError extends FatalRequestError {}

/** Replaces every occurrence of the secrets in upstream text that ends up in an error. */
export function redact(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret) result = result.split(secret).join('[redacted]');
  }
  return result;
}
