import {
  AccountAuthError,
  TransientError,
  type StaysyncError,
  isJsonObject,
  tryParseJson,
  type JsonObject,
  headerValue,
  parseRetryAfterMs,
  type HttpHeaders,
} from '@staysync/core';
import {
  AirbnbBlockedError,
  errorFromResolution,
  PersistedQueryGoneError,
  resolveHttpStatus,
} from './errors';
import type { AirbnbOperationName } from './operations';

export type Classification = { ok: true; body: JsonObject } | { ok: false; error: StaysyncError };

export interface ClassifyOptions {
  /** clock for HTTP-date Retry-After values */
  now?: number;
  /** merged into the error context (never put the cookie here) */
  context?: Record<string, unknown>;
  /** the persisted query asked for: names it when Airbnb no longer serves the hash */
  query?: { operation: AirbnbOperationName; hash: string };
}

const AUTH_ERROR_TYPE = 'authentication_required';
const LOGIN_REDIRECT = /login|authenticate/i;
const PERSISTED_QUERY_ERROR = /persisted.?query/i;

/**
 * Decides whether an Airbnb GraphQL response is usable, and if not, which failure it is. Order matters:
 * 1. a GraphQL auth body (any status; Airbnb answers 200), 401, a 403 carrying JSON, a redirect to a
 *    login page → the session is dead (AccountAuthError → needs_reauth);
 * 2. a 403 edge page → bot block (AirbnbBlockedError → blocked);
 * 3. 404, or errors naming the persisted query or its hash → the hash is gone (PersistedQueryGoneError);
 * 4. other non-2xx → the status table (429 and 5xx transient);
 * 5. a 2xx must be a JSON object with a `data` object: HTML instead is an edge page (blocked), JSON
 *    without `data` means the persisted query no longer answers (stale hash).
 */
export function classifyResponse(
  status: number,
  headers: HttpHeaders,
  bodyText: string,
  options: ClassifyOptions = {},
): Classification {
  const now = options.now ?? Date.now();
  const baseContext = { ...options.context, status };
  const body = tryParseJson(bodyText);
  const byStatus = resolveHttpStatus(status);

  if (isAuthErrorBody(body)) return failed(authErrorFromBody(body as JsonObject, baseContext));
  if (status === 401 || (status === 403 && isJsonObject(body))) {
    return failed(errorFromResolution(byStatus!, { context: baseContext }));
  }
  if (status === 403) {
    return failed(
      new AirbnbBlockedError("Airbnb's edge answered 403 with a block page (bot detection).", {
        context: baseContext,
      }),
    );
  }
  if (isLoginRedirect(status, headers)) {
    return failed(
      new AccountAuthError('Airbnb redirected to a login page: the session is dead.', {
        context: baseContext,
      }),
    );
  }
  if (options.query && (status === 404 || namesPersistedQuery(body, options.query.hash))) {
    return failed(
      staleQuery(options.query, {
        ...baseContext,
        graphqlErrors: isJsonObject(body) ? graphqlErrors(body) : [],
      }),
    );
  }
  if (byStatus) {
    const retryAfterMs =
      byStatus.kind === 'transient' ? parseRetryAfterMs(headerValue(headers, 'retry-after'), now) : undefined;
    const context = retryAfterMs === undefined ? baseContext : { ...baseContext, retryAfterMs };
    return failed(errorFromResolution(byStatus, { context, retryAfterMs }));
  }
  return classifyBody(body, baseContext, options.query);
}

/**
 * The auth failure Airbnb returns in a 200 body: any `errors[].extensions.errorType ==
 * "authentication_required"`, or `data.porygon` present with `getPerformanceComponents` explicitly
 * null (a missing key is not an auth failure). `data` itself may be null.
 */
export function isAuthErrorBody(body: unknown): boolean {
  if (!isJsonObject(body)) return false;
  return (
    graphqlErrors(body).some((e) => e.errorType === AUTH_ERROR_TYPE) || hasNullPerformanceComponents(body)
  );
}

interface GraphqlErrorSummary {
  message: string | null;
  errorType: string | null;
  errorClass: string | null;
}

/** Just the safe, identifying parts of `errors[]` (for error context and logs). */
export function graphqlErrors(body: JsonObject): GraphqlErrorSummary[] {
  if (!Array.isArray(body.errors)) return [];
  return body.errors.filter(isJsonObject).map((error) => {
    const extensions = isJsonObject(error.extensions) ? error.extensions : {};
    return {
      message: stringOrNull(error.message),
      errorType: stringOrNull(extensions.errorType),
      errorClass: stringOrNull(extensions.errorClass),
    };
  });
}

function classifyBody(
  body: unknown,
  context: Record<string, unknown>,
  query: ClassifyOptions['query'],
): Classification {
  if (body === undefined) {
    return failed(
      new AirbnbBlockedError('Airbnb answered with a non-JSON page where JSON was expected (edge block).', {
        context,
      }),
    );
  }
  if (!isJsonObject(body)) {
    return failed(new TransientError('Airbnb answered with JSON that is not an object.', { context }));
  }
  if (!isJsonObject(body.data)) {
    const withErrors = { ...context, graphqlErrors: graphqlErrors(body) };
    if (query) return failed(staleQuery(query, withErrors));
    return failed(new TransientError('Airbnb GraphQL response has no data.', { context: withErrors }));
  }
  return { ok: true, body };
}

/** `errors[]` that name the persisted query (PersistedQueryNotFound, PERSISTED_QUERY_NOT_FOUND) or the hash. */
function namesPersistedQuery(body: unknown, hash: string): boolean {
  if (!isJsonObject(body) || !Array.isArray(body.errors)) return false;
  return body.errors.filter(isJsonObject).some((error) => {
    const extensions = isJsonObject(error.extensions) ? error.extensions : {};
    const text = [error.message, extensions.code, extensions.errorType]
      .filter((v) => typeof v === 'string')
      .join(' ');
    return PERSISTED_QUERY_ERROR.test(text) || text.includes(hash);
  });
}

function staleQuery(
  query: NonNullable<ClassifyOptions['query']>,
  context: Record<string, unknown>,
): PersistedQueryGoneError {
  return new PersistedQueryGoneError(query.operation, query.hash, {
    context: { ...context, operation: query.operation, hash: query.hash },
  });
}

function hasNullPerformanceComponents(body: JsonObject): boolean {
  const data = body.data;
  if (!isJsonObject(data) || !isJsonObject(data.porygon)) return false;
  return 'getPerformanceComponents' in data.porygon && data.porygon.getPerformanceComponents === null;
}

function authErrorFromBody(body: JsonObject, context: Record<string, unknown>): AccountAuthError {
  return new AccountAuthError('Airbnb GraphQL says authentication is required: the session cookie expired.', {
    context: { ...context, graphqlErrors: graphqlErrors(body) },
  });
}

function isLoginRedirect(status: number, headers: HttpHeaders): boolean {
  const location = headerValue(headers, 'location');
  return status >= 300 && status < 400 && location !== undefined && LOGIN_REDIRECT.test(location);
}

function failed(error: StaysyncError): Classification {
  return { ok: false, error };
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
