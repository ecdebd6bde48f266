import { AccountAuthError, TransientError, type StaysyncError, isJsonObject, tryParseJson, type JsonObject, headerValue, parseRetryAfterMs, type HttpHeaders } from '@staysync/core';
import { errorFromResolution, resolveHttpStatus } from './errors';

export type Classification = { ok: true; body: JsonObject } | { ok: false; error: StaysyncError };

export interface ClassifyOptions {
  /** clock for HTTP-date Retry-After values */
  now?: number;
  /** merged into the error context (never put the cookie here) */
  context?: Record<string, unknown>;
}

const AUTH_ERROR_TYPE = 'authentication_required';
const LOGIN_REDIRECT = /login|authenticate/i;

/**
 * Decides whether an Airbnb GraphQL response is usable. Order matters:
 * 401/403 → auth; a GraphQL auth body → auth whatever the status (Airbnb answers 200);
 * a redirect to a login page → auth; other non-2xx → the status table; then the 2xx body must be a JSON
 * object with a `data` object (a non-JSON 200 is a proxy/bot page, e.g. a disguised 429 → transient).
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

  if (byStatus?.kind === 'account') return failed(errorFromResolution(byStatus, { context: baseContext }));
  if (isAuthErrorBody(body)) return failed(authErrorFromBody(body as JsonObject, baseContext));
  if (isLoginRedirect(status, headers)) {
    return failed(
      new AccountAuthError('Airbnb redirected to a login page: the session is dead.', {
        context: baseContext,
      }),
    );
  }
  if (byStatus) {
    const retryAfterMs =
      byStatus.kind === 'transient' ? parseRetryAfterMs(headerValue(headers, 'retry-after'), now) : undefined;
    const context = retryAfterMs === undefined ? baseContext : { ...baseContext, retryAfterMs };
    return failed(errorFromResolution(byStatus, { context, retryAfterMs }));
  }
  return classifyBody(body, baseContext);
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

function classifyBody(body: unknown, context: Record<string, unknown>): Classification {
  if (body === undefined) {
    return failed(
      new TransientError('Airbnb answered with a non-JSON body (rate-limit or bot-check page?).', {
        context,
      }),
    );
  }
  if (!isJsonObject(body)) {
    return failed(new TransientError('Airbnb answered with JSON that is not an object.', { context }));
  }
  if (!isJsonObject(body.data)) {
    const errors = graphqlErrors(body);
    return failed(
      new TransientError('Airbnb GraphQL response has no data.', {
        context: { ...context, graphqlErrors: errors },
      }),
    );
  }
  return { ok: true, body };
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
