import http from 'node:http';
import https from 'node:https';
import got, { RequestError, type Agents } from 'got';
import { TransientError } from '@staysync/core';
import { classifyListResponse, classifyTokenResponse, type HostawayListEnvelope } from './classify';

/**
 * The HTTP client of the Hostaway REST API. It makes exactly one attempt per call: got's retry is off
 * and HTTP errors don't throw, because the fetch plugin owns retries, token refresh and rate limits.
 * Every outcome other than a usable body is thrown as a classified StaysyncError (classify.ts). Neither
 * the client secret nor a token ever appears in an error message or context.
 */

export const DEFAULT_HOSTAWAY_BASE_URL = 'https://api.hostaway.com/v1/';
export const DEFAULT_HOSTAWAY_TIMEOUT_MS = 5_000;
export const TOKEN_PATH = 'accessTokens';

export interface HostawayClientOptions {
  /** e.g. https://api.hostaway.com/v1/ (a bare origin gets `/v1/`) */
  baseUrl?: string;
  timeoutMs?: number;
  /** defaults to keep-alive agents owned (and closed) by the client */
  agent?: Agents;
}

export interface MintedToken {
  accessToken: string;
  /** seconds, as Hostaway reported it (null when absent) */
  expiresIn: number | null;
  issuedAt: Date;
}

export type QueryValue = string | number;

export interface HostawayPageResponse {
  httpStatus: number;
  body: HostawayListEnvelope;
}

export interface HostawayClient {
  /** POST accessTokens (client credentials grant) */
  mintToken(clientId: string, clientSecret: string): Promise<MintedToken>;
  /** GET one page of a list endpoint, e.g. `listings` or `conversations/7/messages` */
  getPage(path: string, query: Readonly<Record<string, QueryValue>>, token: string): Promise<HostawayPageResponse>;
  /** destroys the keep-alive sockets of the client's own agents */
  close(): void;
}

/**
 * The API lives under `/v1/`; a configured bare origin (the fetcher's HOSTAWAY_BASE_URL defaults to
 * `https://api.hostaway.com`) gets it appended. A trailing slash makes relative paths resolve below it.
 */
export function normalizeBaseUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/v1/';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}

export function createHostawayClient(options: HostawayClientOptions = {}): HostawayClient {
  const baseUrl = normalizeBaseUrl(options.baseUrl ?? DEFAULT_HOSTAWAY_BASE_URL);
  const timeoutMs = options.timeoutMs ?? DEFAULT_HOSTAWAY_TIMEOUT_MS;
  const ownAgents = options.agent
    ? null
    : { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  const httpClient = got.extend({
    agent: options.agent ?? ownAgents ?? {},
    timeout: { request: timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
  });

  return {
    async mintToken(clientId, clientSecret) {
      const response = await httpClient
        .post(new URL(TOKEN_PATH, baseUrl), {
          headers: { 'cache-control': 'no-cache', accept: 'application/json' },
          form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: 'general' },
        })
        .catch((error: unknown) => {
          throw networkError(error, TOKEN_PATH, timeoutMs);
        });
      const classified = classifyTokenResponse(response.statusCode, response.headers, response.body, {
        operation: TOKEN_PATH,
        secrets: [clientSecret],
      });
      if (!classified.ok) throw classified.error;
      return { ...classified.body, issuedAt: new Date() };
    },

    async getPage(path, query, token) {
      const url = new URL(path, baseUrl);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, String(value));
      const response = await httpClient
        .get(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } })
        .catch((error: unknown) => {
          throw networkError(error, path, timeoutMs);
        });
      const classified = classifyListResponse(response.statusCode, response.headers, response.body, token, {
        operation: path,
        secrets: [token],
      });
      if (!classified.ok) throw classified.error;
      return { httpStatus: response.statusCode, body: classified.body };
    },

    close() {
      ownAgents?.http.destroy();
      ownAgents?.https.destroy();
    },
  };
}

/**
 * Timeouts and network failures are transient. got's error carries the request options (with the
 * token or the form with the secret), so it is not kept as `cause`; only its code and name are.
 */
function networkError(error: unknown, operation: string, timeoutMs: number): unknown {
  if (!(error instanceof RequestError)) return error;
  const timedOut = error.name === 'TimeoutError';
  const message = timedOut
    ? `Hostaway ${operation} timed out after ${timeoutMs} ms`
    : `Hostaway ${operation} request failed: ${error.code ?? error.name}`;
  return new TransientError(message, { context: { operation, code: error.code, errorName: error.name, timeoutMs } });
}
