import { randomInt } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import got, { RequestError, type Agents } from 'got';
import { FatalRequestError, TransientError, type JsonObject, type HttpHeaders } from '@staysync/core';
import type { CookieJar } from 'tough-cookie';
import { classifyResponse } from './classify';
import { operationPath, queryHash, type AirbnbOperationName, type AirbnbQueryHashes } from './operations';
import type { AirbnbPayload } from './payloads';
import { clientHintsFor } from './session/client-hints';
import { gotCookieJar } from './session/jar';
import { classifyPreflight, PREFLIGHT_PATH, type PreflightVerdict } from './session/preflight';

/**
 * The HTTP client for the persisted GraphQL operations. It makes exactly one attempt: got's retry is
 * off and HTTP errors don't throw, because the fetcher owns retries and pacing. Every outcome other
 * than a usable body is thrown as a classified StaysyncError (classify.ts). Cookies travel only through
 * the job's jar (session/jar.ts) and never appear in an error message or context.
 */

/** Per-account credentials captured from the host's browser. */
export interface AirbnbAccountCredentials {
  /** the auth cookies (`name=value; …`); only used to seed the job's jar */
  cookie: string;
  userAgent: string;
  clientVersion: string;
}

/** Random ids generated once per sync (reference §2). */
export interface SyncTraceIds {
  clientTraceId: string;
  clientRequestId: string;
  networkLogLink: string;
}

export interface AirbnbClientOptions {
  /** e.g. https://www.airbnb.com */
  baseUrl: string;
  /** X-Airbnb-API-Key, the web client key */
  apiKey: string;
  timeoutMs?: number;
  /** the preflight's timeout (reference §2: 30 s) */
  preflightTimeoutMs?: number;
  /** persisted-query hashes (configuration); the reference's by default */
  hashes?: AirbnbQueryHashes;
  /** defaults to keep-alive agents owned (and closed) by the client */
  agent?: Agents;
}

export interface AirbnbResponse {
  status: number;
  headers: HttpHeaders;
  bodyText: string;
  body: JsonObject;
}

export interface AirbnbClient {
  /** `GET /hosting/insights` with navigation headers through the jar (reference §2); 5xx and network errors throw TransientError */
  preflight(account: AirbnbAccountCredentials, jar: CookieJar): Promise<PreflightVerdict>;
  /** one persisted-query POST; cookies come from (and Set-Cookie goes to) the jar, never a Cookie header */
  request(
    op: AirbnbOperationName,
    payload: AirbnbPayload,
    account: AirbnbAccountCredentials,
    trace: SyncTraceIds,
    jar: CookieJar,
  ): Promise<AirbnbResponse>;
  /** destroys the keep-alive sockets of the client's own agents */
  close(): void;
}

export const DEFAULT_AIRBNB_TIMEOUT_MS = 10_000;
export const DEFAULT_PREFLIGHT_TIMEOUT_MS = 30_000;

/**
 * What the host dashboard sends with every GraphQL call, except the Client Hints, which follow the
 * account's User-Agent (session/client-hints.ts).
 */
export const AIRBNB_STATIC_HEADERS: Readonly<Record<string, string>> = {
  accept: '*/*',
  'accept-language': 'en-US,en;q=0.9',
  'content-type': 'application/json',
  ect: '4g',
  priority: 'u=1, i',
  'sec-fetch-dest': 'empty',
  'sec-fetch-mode': 'cors',
  'sec-fetch-site': 'same-origin',
  'x-airbnb-graphql-platform': 'web',
  'x-airbnb-graphql-platform-client': 'minimalist-niobe',
  'x-airbnb-supports-airlock-v2': 'true',
  'x-csrf-token': '',
  'x-csrf-without-token': '1',
  'x-niobe-short-circuited': 'true',
};

/** A top-level page load, as the browser sends it when the host opens the dashboard. */
export const AIRBNB_NAVIGATION_HEADERS: Readonly<Record<string, string>> = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8',
  'accept-language': 'en-US,en;q=0.9',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'none',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
};

const TRACE_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TRACE_ID_LENGTH = 30;

export function createSyncTraceIds(random: (max: number) => number = randomInt): SyncTraceIds {
  return {
    clientTraceId: randomTraceId(random),
    clientRequestId: randomTraceId(random),
    networkLogLink: randomTraceId(random),
  };
}

function randomTraceId(random: (max: number) => number): string {
  const pick = () => TRACE_ID_ALPHABET[random(TRACE_ID_ALPHABET.length)];
  return Array.from({ length: TRACE_ID_LENGTH }, pick).join('');
}

export function buildAirbnbHeaders(input: {
  apiKey: string;
  account: AirbnbAccountCredentials;
  trace: SyncTraceIds;
}): Record<string, string> {
  const { apiKey, account, trace } = input;
  const perRequest: Record<string, string> = {
    'user-agent': account.userAgent,
    'x-client-version': account.clientVersion,
    'x-airbnb-api-key': apiKey,
    'x-airbnb-client-trace-id': trace.clientTraceId,
    'x-client-request-id': trace.clientRequestId,
    'x-airbnb-network-log-link': trace.networkLogLink,
  };
  assertHeaderSafe(perRequest);
  return { ...AIRBNB_STATIC_HEADERS, ...clientHintsFor(account.userAgent), ...perRequest };
}

export function buildNavigationHeaders(account: AirbnbAccountCredentials): Record<string, string> {
  const perAccount = { 'user-agent': account.userAgent };
  assertHeaderSafe(perAccount);
  return { ...AIRBNB_NAVIGATION_HEADERS, ...clientHintsFor(account.userAgent), ...perAccount };
}

function assertHeaderSafe(headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) {
    // Node would reject these with an error naming the header; fail first, without echoing the value.
    if (/[\r\n\0]/.test(value)) {
      throw new FatalRequestError(`the ${name} header contains a line break or NUL`);
    }
  }
}

export function createAirbnbClient(options: AirbnbClientOptions): AirbnbClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_AIRBNB_TIMEOUT_MS;
  const preflightTimeoutMs = options.preflightTimeoutMs ?? DEFAULT_PREFLIGHT_TIMEOUT_MS;
  const hashes = options.hashes ?? {};
  const ownAgents = options.agent
    ? null
    : { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const agent: Agents = options.agent ?? ownAgents ?? {};
  const httpClient = got.extend({
    agent,
    timeout: { request: timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
  });

  return {
    async preflight(account, jar) {
      const url = new URL(PREFLIGHT_PATH, options.baseUrl).toString();
      const response = await httpClient
        .get(url, {
          headers: buildNavigationHeaders(account),
          cookieJar: gotCookieJar(jar),
          followRedirect: true,
          maxRedirects: 10,
          timeout: { request: preflightTimeoutMs },
          responseType: 'text',
        })
        .catch((error: unknown) => {
          throw networkError(error, 'preflight', preflightTimeoutMs);
        });
      if (response.statusCode >= 500) {
        throw new TransientError(`Airbnb preflight answered HTTP ${response.statusCode}`, {
          context: { operation: 'preflight', status: response.statusCode },
        });
      }
      return classifyPreflight({ status: response.statusCode, finalUrl: response.url, body: response.body });
    },
    async request(op, payload, account, trace, jar) {
      const hash = queryHash(op, hashes);
      const url = new URL(operationPath(op, hashes), options.baseUrl).toString();
      const headers = buildAirbnbHeaders({ apiKey: options.apiKey, account, trace });
      const response = await httpClient
        .post(url, {
          headers,
          body: JSON.stringify(withQueryHash(payload, hash)),
          responseType: 'text',
          cookieJar: gotCookieJar(jar),
        })
        .catch((error: unknown) => {
          throw networkError(error, op, timeoutMs);
        });
      const classification = classifyResponse(response.statusCode, response.headers, response.body, {
        context: { operation: op },
        query: { operation: op, hash },
      });
      if (!classification.ok) throw classification.error;
      return {
        status: response.statusCode,
        headers: response.headers,
        bodyText: response.body,
        body: classification.body,
      };
    },
    close() {
      ownAgents?.http.destroy();
      ownAgents?.https.destroy();
    },
  };
}

/** The payload with the configured hash in `extensions.persistedQuery` (the plan builds it with the reference's). */
function withQueryHash(payload: AirbnbPayload, sha256Hash: string): AirbnbPayload {
  if (payload.extensions.persistedQuery.sha256Hash === sha256Hash) return payload;
  return { ...payload, extensions: { persistedQuery: { ...payload.extensions.persistedQuery, sha256Hash } } };
}

/**
 * Timeouts and network failures are transient. got's error carries the request options (with the
 * cookie), so it is not kept as `cause`; only its code and name are.
 */
function networkError(error: unknown, op: AirbnbOperationName | 'preflight', timeoutMs: number): unknown {
  if (!(error instanceof RequestError)) return error;
  const timedOut = error.name === 'TimeoutError';
  const message = timedOut
    ? `Airbnb ${op} timed out after ${timeoutMs} ms`
    : `Airbnb ${op} request failed: ${error.code ?? error.name}`;
  return new TransientError(message, {
    context: { operation: op, code: error.code, errorName: error.name, timeoutMs },
  });
}
