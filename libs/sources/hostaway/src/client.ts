import http from 'node:http';
import https from 'node:https';
import got, { RequestError, type Agents } from 'got';
import { FatalRequestError, isJsonObject, TransientError, type JsonObject } from '@staysync/core';
import {
  classifyListResponse,
  classifyObjectResponse,
  classifyTokenResponse,
  type HostawayListEnvelope,
} from './classify';

/**
 * The HTTP client of the Hostaway REST API. It makes exactly one attempt per call: got's retry is off
 * and HTTP errors don't throw, because the fetch plugin owns retries, token refresh and rate limits.
 * Every outcome other than a usable body is thrown as a classified StaysyncError (classify.ts). Neither
 * the client secret nor a token ever appears in an error message or context.
 */

export const DEFAULT_HOSTAWAY_BASE_URL = 'https://api.hostaway.com/v1/';
export const DEFAULT_HOSTAWAY_TIMEOUT_MS = 5_000;
export const TOKEN_PATH = 'accessTokens';
export const UNIFIED_WEBHOOKS_PATH = 'webhooks/unifiedWebhooks';

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

/** What we register as a unified webhook (reference §4): Basic auth is sent only when both are set. */
export interface UnifiedWebhookSpec {
  url: string;
  login: string;
  password: string;
}

/** A unified webhook as Hostaway lists it (the password is never kept from a response). */
export interface UnifiedWebhook {
  id: number;
  url: string | null;
  login: string | null;
  isEnabled: boolean;
}

export interface HostawayClient {
  /** POST accessTokens (client credentials grant) */
  mintToken(clientId: string, clientSecret: string): Promise<MintedToken>;
  /** GET one page of a list endpoint, e.g. `listings` or `conversations/7/messages` */
  getPage(
    path: string,
    query: Readonly<Record<string, QueryValue>>,
    token: string,
  ): Promise<HostawayPageResponse>;
  /** GET webhooks/unifiedWebhooks: the token's account's webhooks */
  listWebhooks(token: string): Promise<UnifiedWebhook[]>;
  /** GET webhooks/unifiedWebhooks/{id}; NotFoundError when Hostaway no longer has it */
  getWebhook(id: number, token: string): Promise<UnifiedWebhook>;
  /** POST webhooks/unifiedWebhooks, enabled, no alerting e-mail */
  createWebhook(spec: UnifiedWebhookSpec, token: string): Promise<UnifiedWebhook>;
  /** PUT webhooks/unifiedWebhooks/{id}; NotFoundError when Hostaway no longer has it */
  updateWebhook(id: number, spec: UnifiedWebhookSpec, token: string): Promise<UnifiedWebhook>;
  /** DELETE webhooks/unifiedWebhooks/{id}; NotFoundError when Hostaway no longer has it */
  deleteWebhook(id: number, token: string): Promise<void>;
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

  /** One JSON call on a single-object endpoint; the operation named in errors is `<METHOD> <path>`. */
  async function sendObject(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    token: string,
    json?: object,
    secrets: string[] = [],
  ) {
    const operation = `${method} ${path}`;
    const response = await httpClient(new URL(path, baseUrl), {
      method,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      ...(json === undefined ? {} : { json }),
    }).catch((error: unknown) => {
      throw networkError(error, operation, timeoutMs);
    });
    const classified = classifyObjectResponse(response.statusCode, response.headers, response.body, token, {
      operation,
      secrets: [token, ...secrets],
    });
    if (!classified.ok) throw classified.error;
    return classified.body;
  }

  return {
    async mintToken(clientId, clientSecret) {
      const response = await httpClient
        .post(new URL(TOKEN_PATH, baseUrl), {
          headers: { 'cache-control': 'no-cache', accept: 'application/json' },
          form: {
            grant_type: 'client_credentials',
            client_id: clientId,
            client_secret: clientSecret,
            scope: 'general',
          },
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

    async listWebhooks(token) {
      const body = await sendObject('GET', UNIFIED_WEBHOOKS_PATH, token);
      if (!Array.isArray(body.result))
        throw new FatalRequestError(`Hostaway answered GET ${UNIFIED_WEBHOOKS_PATH} without a result array`);
      return body.result.flatMap((item) => {
        const webhook = toWebhook(item);
        return webhook ? [webhook] : [];
      });
    },

    async getWebhook(id, token) {
      return resultWebhook(await sendObject('GET', `${UNIFIED_WEBHOOKS_PATH}/${id}`, token), 'GET');
    },

    async createWebhook(spec, token) {
      return resultWebhook(
        await sendObject('POST', UNIFIED_WEBHOOKS_PATH, token, webhookBody(spec), [spec.password]),
        'POST',
      );
    },

    async updateWebhook(id, spec, token) {
      return resultWebhook(
        await sendObject('PUT', `${UNIFIED_WEBHOOKS_PATH}/${id}`, token, webhookBody(spec), [spec.password]),
        'PUT',
      );
    },

    async deleteWebhook(id, token) {
      await sendObject('DELETE', `${UNIFIED_WEBHOOKS_PATH}/${id}`, token);
    },

    close() {
      ownAgents?.http.destroy();
      ownAgents?.https.destroy();
    },
  };
}

function webhookBody(spec: UnifiedWebhookSpec) {
  return {
    isEnabled: 1,
    url: spec.url,
    login: spec.login,
    password: spec.password,
    alertingEmailAddress: null,
  };
}

function toWebhook(value: unknown): UnifiedWebhook | null {
  if (!isJsonObject(value) || typeof value.id !== 'number' || !Number.isSafeInteger(value.id)) return null;
  return {
    id: value.id,
    url: typeof value.url === 'string' ? value.url : null,
    login: typeof value.login === 'string' ? value.login : null,
    isEnabled: value.isEnabled === 1 || value.isEnabled === true,
  };
}

function resultWebhook(body: JsonObject, method: string): UnifiedWebhook {
  const webhook = toWebhook(body.result);
  if (!webhook)
    throw new FatalRequestError(`Hostaway answered ${method} ${UNIFIED_WEBHOOKS_PATH} without a webhook id`);
  return webhook;
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
  return new TransientError(message, {
    context: { operation, code: error.code, errorName: error.name, timeoutMs },
  });
}
