import { randomInt } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import got, { RequestError, type Agents } from 'got';
import { AccountAuthError, FatalRequestError, TransientError, type JsonObject, type HttpHeaders } from '@staysync/core';
import { classifyResponse } from './classify';
import { operationPath, type AirbnbOperationName } from './operations';
import type { AirbnbPayload } from './payloads';

/**
 * The HTTP client for the persisted GraphQL operations. It makes exactly one attempt: got's retry is
 * off and HTTP errors don't throw, because the fetcher owns retries and pacing. Every outcome other
 * than a usable body is thrown as a classified StaysyncError (classify.ts). The cookie never appears
 * in an error message or context.
 */

/** Per-account credentials captured from the host's browser. */
export interface AirbnbAccountCredentials {
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
  request(
    op: AirbnbOperationName,
    payload: AirbnbPayload,
    account: AirbnbAccountCredentials,
    trace: SyncTraceIds,
  ): Promise<AirbnbResponse>;
  /** destroys the keep-alive sockets of the client's own agents */
  close(): void;
}

export const DEFAULT_AIRBNB_TIMEOUT_MS = 10_000;

/** What Chrome 141 on macOS sends from the host dashboard; identical for every account. */
export const AIRBNB_STATIC_HEADERS: Readonly<Record<string, string>> = {
  accept: '*/*',
  'accept-language': 'en-US,en;q=0.9',
  'content-type': 'application/json',
  ect: '4g',
  priority: 'u=1, i',
  'sec-fetch-dest': 'empty',
  'sec-fetch-mode': 'cors',
  'sec-fetch-site': 'same-origin',
  'sec-ch-ua': '"Google Chrome";v="141", "Not?A_Brand";v="8", "Chromium";v="141"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"macOS"',
  'sec-ch-ua-platform-version': '"15.6.0"',
  'sec-ch-device-memory': '8',
  'sec-ch-dpr': '2',
  'sec-ch-viewport-width': '1512',
  'x-airbnb-graphql-platform': 'web',
  'x-airbnb-graphql-platform-client': 'minimalist-niobe',
  'x-airbnb-supports-airlock-v2': 'true',
  'x-csrf-token': '',
  'x-csrf-without-token': '1',
  'x-niobe-short-circuited': 'true',
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
  if (account.cookie.trim() === '') throw new AccountAuthError('the account has no Airbnb cookie');
  const perRequest: Record<string, string> = {
    cookie: account.cookie,
    'user-agent': account.userAgent,
    'x-client-version': account.clientVersion,
    'x-airbnb-api-key': apiKey,
    'x-airbnb-client-trace-id': trace.clientTraceId,
    'x-client-request-id': trace.clientRequestId,
    'x-airbnb-network-log-link': trace.networkLogLink,
  };
  for (const [name, value] of Object.entries(perRequest)) {
    // Node would reject these with an error naming the header; fail first, without echoing the value.
    if (/[\r\n\0]/.test(value)) {
      throw new FatalRequestError(`the ${name} header contains a line break or NUL`);
    }
  }
  return { ...AIRBNB_STATIC_HEADERS, ...perRequest };
}

export function createAirbnbClient(options: AirbnbClientOptions): AirbnbClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_AIRBNB_TIMEOUT_MS;
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
    async request(op, payload, account, trace) {
      const url = new URL(operationPath(op), options.baseUrl).toString();
      const headers = buildAirbnbHeaders({ apiKey: options.apiKey, account, trace });
      const response = await httpClient
        .post(url, { headers, body: JSON.stringify(payload), responseType: 'text' })
        .catch((error: unknown) => {
          throw networkError(error, op, timeoutMs);
        });
      const classification = classifyResponse(response.statusCode, response.headers, response.body, {
        context: { operation: op },
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

/**
 * Timeouts and network failures are transient. got's error carries the request options (with the
 * cookie), so it is not kept as `cause`; only its code and name are.
 */
function networkError(error: unknown, op: AirbnbOperationName, timeoutMs: number): unknown {
  if (!(error instanceof RequestError)) return error;
  const timedOut = error.name === 'TimeoutError';
  const message = timedOut
    ? `Airbnb ${op} timed out after ${timeoutMs} ms`
    : `Airbnb ${op} request failed: ${error.code ?? error.name}`;
  return new TransientError(message, {
    context: { operation: op, code: error.code, errorName: error.name, timeoutMs },
  });
}
