import {
  AccountAuthError,
  FatalRequestError,
  TransientError,
  type StaysyncError,
  isJsonObject,
  tryParseJson,
  type JsonObject,
  headerValue,
  parseRetryAfterMs,
  type HttpHeaders,
} from '@staysync/core';
import { NotFoundError, redact, TokenRejectedError } from './errors';

/** A list response: `{"status":"success","result":[…],"count":707,"limit":100,"offset":0}` (+ page/totalPages). */
export interface HostawayListEnvelope extends JsonObject {
  status: 'success';
  result: unknown[];
  count?: number;
  limit?: number;
  offset?: number;
  page?: number;
  totalPages?: number;
}

export type Classification<T> = { ok: true; body: T } | { ok: false; error: StaysyncError };

export interface ClassifyContext {
  /** what was requested, e.g. `listings` or `conversations/7/messages` (never a secret) */
  operation: string;
  /** secrets that must not appear in error messages even if upstream echoes them */
  secrets: ReadonlyArray<string | null | undefined>;
  now?: number;
}

const MAX_UPSTREAM_MESSAGE = 200;

/**
 * Decides whether a REST response (Bearer token) is usable:
 * 403 → TokenRejectedError (the token); 429 → transient with Retry-After; 5xx and other non-2xx
 * non-4xx → transient; other 4xx → fatal. A 2xx must be a JSON object: `status:"fail"` → fatal,
 * non-JSON (a proxy page) → transient, no `result` array → fatal.
 */
export function classifyListResponse(
  status: number,
  headers: HttpHeaders,
  bodyText: string,
  token: string,
  ctx: ClassifyContext,
): Classification<HostawayListEnvelope> {
  const envelope = classifyEnvelope(status, headers, bodyText, token, ctx, { notFoundIsGone: false });
  if (!envelope.ok) return envelope;
  const { body } = envelope;
  const context = { operation: ctx.operation, status };
  if (body.status === 'fail') {
    return failed(
      new FatalRequestError(`Hostaway failed ${ctx.operation}${upstreamMessage(body, ctx.secrets)}`, {
        context,
      }),
    );
  }
  if (!Array.isArray(body.result)) {
    return failed(
      new FatalRequestError(`Hostaway answered ${ctx.operation} without a result array`, { context }),
    );
  }
  return { ok: true, body: body as HostawayListEnvelope };
}

/**
 * A single-object response (the webhook endpoints): like a list response, except that 404 means the
 * object is gone (WebhookNotFoundError, so an update can register afresh and a delete is done) and
 * `result` may be anything (an object, or null after a DELETE).
 */
export function classifyObjectResponse(
  status: number,
  headers: HttpHeaders,
  bodyText: string,
  token: string,
  ctx: ClassifyContext,
): Classification<JsonObject> {
  const envelope = classifyEnvelope(status, headers, bodyText, token, ctx, { notFoundIsGone: true });
  if (!envelope.ok) return envelope;
  const { body } = envelope;
  if (body.status !== 'success') {
    return failed(
      new FatalRequestError(`Hostaway failed ${ctx.operation}${upstreamMessage(body, ctx.secrets)}`, {
        context: { operation: ctx.operation, status },
      }),
    );
  }
  return { ok: true, body };
}

/**
 * What list and object responses share: 403 → TokenRejectedError, 404 → NotFoundError where the object is
 * gone, other statuses by errorForStatus, and a 2xx body that must be a JSON object.
 */
function classifyEnvelope(
  status: number,
  headers: HttpHeaders,
  bodyText: string,
  token: string,
  ctx: ClassifyContext,
  options: { notFoundIsGone: boolean },
): Classification<JsonObject> {
  const body = tryParseJson(bodyText);
  const context = { operation: ctx.operation, status };
  const upstream = upstreamMessage(body, ctx.secrets);
  if (status === 403) {
    return failed(
      new TokenRejectedError(
        token,
        `Hostaway rejected the access token (403) for ${ctx.operation}${upstream}`,
        { context },
      ),
    );
  }
  if (options.notFoundIsGone && status === 404)
    return failed(new NotFoundError(`Hostaway has no ${ctx.operation} (404)${upstream}`, { context }));
  const byStatus = errorForStatus(status, headers, ctx, upstream);
  if (byStatus) return failed(byStatus);
  if (body === undefined)
    return failed(new TransientError(`Hostaway answered ${ctx.operation} with a non-JSON body`, { context }));
  if (!isJsonObject(body))
    return failed(
      new FatalRequestError(`Hostaway answered ${ctx.operation} with JSON that is not an object`, {
        context,
      }),
    );
  return { ok: true, body };
}

export interface TokenResponse {
  accessToken: string;
  expiresIn: number | null;
}

/**
 * The token endpoint: a 4xx other than 429 means the client id/secret were refused → account error;
 * 429/5xx/non-JSON → transient; a 2xx without `access_token` → account error (nothing usable issued).
 */
export function classifyTokenResponse(
  status: number,
  headers: HttpHeaders,
  bodyText: string,
  ctx: ClassifyContext,
): Classification<TokenResponse> {
  const body = tryParseJson(bodyText);
  const context = { operation: ctx.operation, status };
  const upstream = upstreamMessage(body, ctx.secrets);
  if (status >= 400 && status < 500 && status !== 429) {
    return failed(
      new AccountAuthError(`Hostaway refused the client credentials (${status})${upstream}`, { context }),
    );
  }
  const byStatus = errorForStatus(status, headers, ctx, upstream);
  if (byStatus) return failed(byStatus);
  if (!isJsonObject(body))
    return failed(
      new TransientError('Hostaway answered the token request with a non-JSON body', { context }),
    );
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    return failed(new AccountAuthError(`Hostaway issued no access token${upstream}`, { context }));
  }
  const expiresIn =
    typeof body.expires_in === 'number' && Number.isFinite(body.expires_in) ? body.expires_in : null;
  return { ok: true, body: { accessToken: body.access_token, expiresIn } };
}

/** Non-2xx statuses shared by both endpoints (403 and token-endpoint 4xx are handled before). */
function errorForStatus(
  status: number,
  headers: HttpHeaders,
  ctx: ClassifyContext,
  upstream: string,
): StaysyncError | null {
  const context = { operation: ctx.operation, status };
  if (status >= 200 && status < 300) return null;
  if (status === 429) {
    const retryAfterMs = parseRetryAfterMs(headerValue(headers, 'retry-after'), ctx.now ?? Date.now());
    return new TransientError(`Hostaway rate-limited ${ctx.operation} (429)${upstream}`, {
      context: retryAfterMs === undefined ? context : { ...context, retryAfterMs },
      retryAfterMs,
    });
  }
  if (status === 408 || status >= 500 || status < 400) {
    return new TransientError(`Hostaway answered ${ctx.operation} with HTTP ${status}${upstream}`, {
      context,
    });
  }
  return new FatalRequestError(`Hostaway answered ${ctx.operation} with HTTP ${status}${upstream}`, {
    context,
  });
}

/** `: <message>` from a `{status:"fail", message|result}` body, redacted and shortened; '' when none. */
function upstreamMessage(body: unknown, secrets: ClassifyContext['secrets']): string {
  if (!isJsonObject(body)) return '';
  const text =
    typeof body.message === 'string' ? body.message : typeof body.result === 'string' ? body.result : '';
  return text === '' ? '' : `: ${redact(text, secrets).slice(0, MAX_UPSTREAM_MESSAGE)}`;
}

function failed(error: StaysyncError): { ok: false; error: StaysyncError } {
  return { ok: false, error };
}
