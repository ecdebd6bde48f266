import {
  AccountAuthError,
  FatalRequestError,
  TransientError,
  type StaysyncError,
  type StaysyncErrorOptions,
} from '@staysync/core';
import { hashEnvName, type AirbnbOperationName } from './operations';

/**
 * How an Airbnb job can end badly, as the job's `error_code` and the metrics' outcome label:
 * - `needs_reauth`: the session is dead (auth-error body, dead preflight); new credentials are needed.
 * - `blocked`: the edge (Akamai) refuses us (403/429 pages, HTML where JSON was expected, a preflight
 *   challenge); the session may be fine, the account cools down and is retried later.
 * - `stale_persisted_query`: Airbnb no longer serves a persisted-query hash; the configured hash must change.
 */
export type AirbnbFailureCode = 'needs_reauth' | 'blocked' | 'stale_persisted_query';

/** The edge refused the request; never retried within the job (that only deepens the block). */
export class AirbnbBlockedError extends FatalRequestError {
  readonly code = 'blocked' as const;
  constructor(message: string, options: StaysyncErrorOptions = {}) {
    super(message, options);
  }
}

/** The persisted-query hash is no longer served: every further request would fail the same way. */
export class PersistedQueryGoneError extends FatalRequestError {
  readonly code = 'stale_persisted_query' as const;
  constructor(
    readonly operation: AirbnbOperationName,
    readonly hash: string,
    options: StaysyncErrorOptions = {},
  ) {
    super(
      `persisted query ${operation} hash ${hash} no longer served; update ${hashEnvName(operation)}`,
      options,
    );
  }
}

/**
 * HTTP status → error kind, in the style of Airbyte's DEFAULT_ERROR_MAPPING. Statuses not listed fall
 * back by class (see `resolveHttpStatus`). Auth problems are also detected in 200 bodies (classify.ts).
 */
export type ErrorResolutionKind = 'account' | 'transient' | 'fatal';

export interface ErrorResolution {
  kind: ErrorResolutionKind;
  message: string;
}

export const AIRBNB_HTTP_ERROR_MAPPING: Readonly<Record<number, ErrorResolution>> = {
  400: { kind: 'fatal', message: 'Bad request: Airbnb rejected the request arguments.' },
  401: { kind: 'account', message: 'Unauthorized: the Airbnb session cookie is no longer valid.' },
  // 403 with an edge page (not a GraphQL body) is a bot block: classify.ts decides before this table.
  403: { kind: 'account', message: 'Forbidden: Airbnb rejected the session.' },
  // 404 on a persisted-query URL: the hash is gone (classify.ts turns it into PersistedQueryGoneError).
  404: { kind: 'fatal', message: 'Not found: the persisted query or endpoint is unknown (hash rotated?).' },
  405: { kind: 'fatal', message: 'Method not allowed.' },
  408: { kind: 'transient', message: 'Request timeout.' },
  429: { kind: 'transient', message: 'Too many requests: rate limited by Airbnb.' },
  500: { kind: 'transient', message: 'Airbnb internal server error.' },
  502: { kind: 'transient', message: 'Bad gateway.' },
  503: { kind: 'transient', message: 'Service unavailable.' },
  504: { kind: 'transient', message: 'Gateway timeout.' },
};

const OTHER_CLIENT_ERROR: ErrorResolution = { kind: 'fatal', message: 'Unexpected client error status.' };
const OTHER_SERVER_ERROR: ErrorResolution = { kind: 'transient', message: 'Unexpected server error status.' };
// Redirects are not followed; a redirect to a login page is handled as an auth error in classify.ts.
const UNEXPECTED_STATUS: ErrorResolution = { kind: 'transient', message: 'Unexpected HTTP status.' };

/** null for 2xx (the body decides); otherwise the table entry or the fallback for the status class. */
export function resolveHttpStatus(status: number): ErrorResolution | null {
  if (status >= 200 && status < 300) return null;
  const mapped = AIRBNB_HTTP_ERROR_MAPPING[status];
  if (mapped) return mapped;
  if (status >= 400 && status < 500) return OTHER_CLIENT_ERROR;
  if (status >= 500 && status < 600) return OTHER_SERVER_ERROR;
  return UNEXPECTED_STATUS;
}

export interface ErrorDetails {
  context?: Record<string, unknown>;
  retryAfterMs?: number;
}

export function errorFromResolution(resolution: ErrorResolution, details: ErrorDetails = {}): StaysyncError {
  const options = { context: details.context ?? {}, retryAfterMs: details.retryAfterMs };
  switch (resolution.kind) {
    case 'account':
      return new AccountAuthError(resolution.message, options);
    case 'transient':
      return new TransientError(resolution.message, options);
    case 'fatal':
      return new FatalRequestError(resolution.message, options);
  }
}
