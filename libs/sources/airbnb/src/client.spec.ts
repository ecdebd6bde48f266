import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountAuthError, FatalRequestError, TransientError } from '@staysync/core';
import type { CookieJar } from 'tough-cookie';
import { fixtureText, AIRBNB_FIXTURES } from '../fixtures/load';
import {
  AIRBNB_STATIC_HEADERS,
  buildAirbnbHeaders,
  createAirbnbClient,
  createSyncTraceIds,
  type AirbnbAccountCredentials,
  type AirbnbClient,
} from './client';
import { AirbnbBlockedError, PersistedQueryGoneError } from './errors';
import { buildChartQueryPayload } from './payloads';
import { authCookieHeader, createSessionJar } from './session/jar';

const SECRET = 'SECRET_SESSION_VALUE';
const account: AirbnbAccountCredentials = {
  cookie: `_airbed_session_id=${SECRET}; _aat=${SECRET}`,
  userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/141.0.0.0 Safari/537.36',
  clientVersion: 'abc123',
};
const trace = {
  clientTraceId: 't'.repeat(30),
  clientRequestId: 'r'.repeat(30),
  networkLogLink: 'n'.repeat(30),
};
const payload = buildChartQueryPayload({
  listingId: '745515258634591476',
  metricType: 'CONVERSION',
  groupByValue: 'p3_impressions',
  relativeDsStart: -175,
  relativeDsEnd: -148,
});

interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

describe('createAirbnbClient (against a local HTTP server)', () => {
  let server: http.Server;
  let client: AirbnbClient;
  let handler: Handler;
  let seen: Seen[];
  let connections: number;
  let jar: CookieJar;
  let baseUrl: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        handler(req, res);
      });
    });
    server.on('connection', () => (connections += 1));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  beforeEach(() => {
    seen = [];
    connections = 0;
    const { port } = server.address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
    client = createAirbnbClient({ baseUrl, apiKey: 'web-key', timeoutMs: 300, preflightTimeoutMs: 300 });
    jar = createSessionJar(baseUrl, account.cookie);
  });

  afterEach(() => client.close());

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  const respond =
    (
      status: number,
      body: string,
      headers: Record<string, string> = { 'content-type': 'application/json' },
    ): Handler =>
    (_req, res) => {
      res.writeHead(status, headers);
      res.end(body);
    };

  it('POSTs the persisted query with the browser headers and returns the parsed body', async () => {
    const bodyText = fixtureText(AIRBNB_FIXTURES.chartP3Impressions);
    handler = respond(200, bodyText);
    const response = await client.request('ChartQuery', payload, account, trace, jar);

    expect(response.status).toBe(200);
    expect(response.bodyText).toBe(bodyText);
    expect(response.body).toEqual(JSON.parse(bodyText));
    expect(response.headers['content-type']).toBe('application/json');

    const [request] = seen;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(
      '/api/v3/ChartQuery/aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5',
    );
    expect(JSON.parse(request.body)).toEqual(payload);
    expect(request.headers).toMatchObject({
      ...AIRBNB_STATIC_HEADERS,
      // from the jar, not a Cookie header of ours
      cookie: account.cookie,
      'sec-ch-ua': '"Google Chrome";v="141", "Not?A_Brand";v="8", "Chromium";v="141"',
      'sec-ch-ua-platform': '"macOS"',
      'user-agent': account.userAgent,
      'x-client-version': 'abc123',
      'x-airbnb-api-key': 'web-key',
      'x-airbnb-client-trace-id': trace.clientTraceId,
      'x-client-request-id': trace.clientRequestId,
      'x-airbnb-network-log-link': trace.networkLogLink,
    });
    expect(request.headers['x-csrf-token']).toBe('');
  });

  it('keeps the connection alive between requests', async () => {
    handler = respond(200, '{"data":{}}');
    await client.request('ChartQuery', payload, account, trace, jar);
    await client.request('ChartQuery', payload, account, trace, jar);
    expect(seen).toHaveLength(2);
    expect(connections).toBe(1);
  });

  it.each([
    [401, '', AccountAuthError],
    [403, '<html>denied</html>', AirbnbBlockedError],
    [403, '{"error":"forbidden"}', AccountAuthError],
    [429, '<html>slow down</html>', TransientError],
    [503, '', TransientError],
    [404, '', PersistedQueryGoneError],
    [400, '{"errors":[{"message":"bad argument"}]}', FatalRequestError],
  ])(
    'HTTP %i (body %j) → a classified error after exactly one attempt (got retries are off)',
    async (status, body, errorClass) => {
      handler = respond(status, body, { 'content-type': 'text/html' });
      await expect(client.request('ChartQuery', payload, account, trace, jar)).rejects.toBeInstanceOf(
        errorClass,
      );
      expect(seen).toHaveLength(1);
    },
  );

  it('a 200 HTML page where JSON was expected → AirbnbBlockedError (edge page)', async () => {
    handler = respond(200, '<html><title>Access Denied</title></html>', { 'content-type': 'text/html' });
    await expect(client.request('ChartQuery', payload, account, trace, jar)).rejects.toBeInstanceOf(
      AirbnbBlockedError,
    );
  });

  it.each([
    ['a 200 without data', 200, '{"errors":[{"message":"something went wrong"}]}'],
    [
      'PersistedQueryNotFound',
      200,
      '{"errors":[{"message":"PersistedQueryNotFound","extensions":{"code":"PERSISTED_QUERY_NOT_FOUND"}}],"data":null}',
    ],
    [
      'a 400 naming the hash',
      400,
      '{"errors":[{"message":"unknown hash aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5"}]}',
    ],
  ])('%s → PersistedQueryGoneError naming the operation, hash and variable', async (_what, status, body) => {
    handler = respond(status, body);
    const error = await client.request('ChartQuery', payload, account, trace, jar).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PersistedQueryGoneError);
    expect((error as Error).message).toBe(
      'persisted query ChartQuery hash aa6e318cc066bbf19511b86acdce32fc59219d8596448b861d794491f46631c5 no longer served; update AIRBNB_CHART_QUERY_HASH',
    );
  });

  it('sends the configured hash in the URL and the body', async () => {
    const hash = 'f'.repeat(64);
    const configured = createAirbnbClient({ baseUrl, apiKey: 'k', hashes: { ChartQuery: hash } });
    try {
      handler = respond(200, '{"data":{}}');
      await configured.request('ChartQuery', payload, account, trace, jar);
      expect(seen[0].url).toBe(`/api/v3/ChartQuery/${hash}`);
      expect(JSON.parse(seen[0].body).extensions.persistedQuery.sha256Hash).toBe(hash);
    } finally {
      configured.close();
    }
  });

  it('keeps rotated cookies in the jar and sends them on the next call (Set-Cookie read as a list)', async () => {
    handler = respond(200, '{"data":{}}', {
      'content-type': 'application/json',
      // two Set-Cookie headers: a rotated auth cookie and an Akamai one
      'set-cookie': ['_aat=ROTATED; Path=/', 'bm_sv=EDGE; Path=/'] as unknown as string,
    });
    await client.request('ChartQuery', payload, account, trace, jar);
    await client.request('ChartQuery', payload, account, trace, jar);
    expect(seen[1].headers.cookie).toBe(`_airbed_session_id=${SECRET}; _aat=ROTATED; bm_sv=EDGE`);
    // only auth cookies leave the jar
    expect(await authCookieHeader(jar, baseUrl)).toBe(`_airbed_session_id=${SECRET}; _aat=ROTATED`);
  });

  describe('preflight', () => {
    const page =
      (
        routes: Record<string, { status: number; body?: string; location?: string; setCookie?: string[] }>,
      ): Handler =>
      (req, res) => {
        const route = routes[new URL(req.url ?? '/', 'http://x').pathname] ?? { status: 404 };
        const headers: Record<string, string | string[]> = { 'content-type': 'text/html' };
        if (route.location) headers.location = route.location;
        if (route.setCookie) headers['set-cookie'] = route.setCookie;
        res.writeHead(route.status, headers);
        res.end(route.body ?? '');
      };

    it('follows the redirect to /performance/ with navigation headers and the jar: live; Akamai cookies land in the jar', async () => {
      handler = page({
        '/hosting/insights': {
          status: 302,
          location: '/performance/conversion/p3_impressions',
          setCookie: ['ak_bmsc=AK; Path=/'],
        },
        '/performance/conversion/p3_impressions': { status: 200, body: '<html>Performance</html>' },
      });
      const verdict = await client.preflight(account, jar);
      expect(verdict).toEqual({
        state: 'live',
        finalUrl: `${baseUrl}/performance/conversion/p3_impressions`,
      });
      expect(seen.map((s) => [s.method, s.url])).toEqual([
        ['GET', '/hosting/insights'],
        ['GET', '/performance/conversion/p3_impressions'],
      ]);
      expect(seen[0].headers).toMatchObject({
        cookie: account.cookie,
        'sec-fetch-mode': 'navigate',
        'sec-fetch-dest': 'document',
        'user-agent': account.userAgent,
      });
      expect(seen[1].headers.cookie).toBe(`${account.cookie}; ak_bmsc=AK`);
      expect(await authCookieHeader(jar, baseUrl)).toBe(account.cookie);
    });

    it.each([
      [
        'login_redirect',
        {
          '/hosting/insights': { status: 302, location: '/login?redirect_url=%2Fhosting' },
          '/login': { status: 200 },
        },
      ],
      [
        'authenticate_redirect',
        { '/hosting/insights': { status: 302, location: '/authenticate' }, '/authenticate': { status: 200 } },
      ],
      [
        'no_listings',
        { '/hosting/insights': { status: 200, body: "<p>You don't have any listings yet</p>" } },
      ],
      ['stayed_on_insights', { '/hosting/insights': { status: 200, body: '<html>Insights</html>' } }],
    ])('dead: %s', async (signal, routes) => {
      handler = page(routes);
      await expect(client.preflight(account, jar)).resolves.toMatchObject({ state: 'dead', signal });
    });

    it.each([
      ['403', { '/hosting/insights': { status: 403, body: '<html>Access Denied</html>' } }],
      ['429', { '/hosting/insights': { status: 429, body: '<html>Too Many Requests</html>' } }],
      [
        'a challenge page',
        {
          '/hosting/insights': {
            status: 200,
            body: '<html><script src="/_sec/cp_challenge/sec-if-cpt.js"></script></html>',
          },
        },
      ],
    ])('blocked: %s', async (_what, routes) => {
      handler = page(routes);
      await expect(client.preflight(account, jar)).resolves.toMatchObject({ state: 'blocked' });
    });

    it('a 5xx → TransientError (retried by the job)', async () => {
      handler = page({ '/hosting/insights': { status: 503 } });
      await expect(client.preflight(account, jar)).rejects.toBeInstanceOf(TransientError);
    });
  });

  it('passes Retry-After through as retryAfterMs', async () => {
    handler = respond(429, '', { 'retry-after': '7' });
    await expect(client.request('ChartQuery', payload, account, trace, jar)).rejects.toMatchObject({
      retryAfterMs: 7000,
    });
  });

  it('an auth-error body on HTTP 200 → AccountAuthError', async () => {
    handler = respond(
      200,
      JSON.stringify({
        errors: [
          { message: 'Please login to continue.', extensions: { errorType: 'authentication_required' } },
        ],
        data: { porygon: { getPerformanceComponents: null } },
      }),
    );
    const error = await client
      .request('ListOfMetricsQuery', payload, account, trace, jar)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AccountAuthError);
    expect((error as AccountAuthError).context).toMatchObject({
      operation: 'ListOfMetricsQuery',
      status: 200,
    });
  });

  it('does not follow a redirect to the login page', async () => {
    handler = (req, res) => {
      if (req.url?.startsWith('/login')) return respond(200, '{"data":{}}')(req, res);
      respond(302, '', { location: '/login?redirect_url=%2Fhosting' })(req, res);
    };
    await expect(client.request('ChartQuery', payload, account, trace, jar)).rejects.toBeInstanceOf(
      AccountAuthError,
    );
    expect(seen.map((s) => s.url?.slice(0, 6))).toEqual(['/api/v']);
  });

  it('a timeout → TransientError that never mentions the cookie', async () => {
    handler = () => undefined; // never answers
    const error = await client.request('ChartQuery', payload, account, trace, jar).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    const transient = error as TransientError;
    expect(transient.message).toBe('Airbnb ChartQuery timed out after 300 ms');
    expect(transient.cause).toBeUndefined();
    expect(`${transient.message} ${JSON.stringify(transient.context)} ${transient.stack}`).not.toContain(
      SECRET,
    );
  });

  it('a refused connection → TransientError', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');

    const offline = createAirbnbClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'k', timeoutMs: 1000 });
    try {
      const error = await offline
        .request('ChartQuery', payload, account, trace, jar)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).context).toMatchObject({
        operation: 'ChartQuery',
        code: 'ECONNREFUSED',
      });
      expect(JSON.stringify((error as TransientError).context)).not.toContain(SECRET);
    } finally {
      offline.close();
    }
  });
});

describe('buildAirbnbHeaders', () => {
  it("sends no Cookie header (the jar does) and Client Hints from the account's User-Agent", () => {
    const windowsEdge =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/139.0.0.0 Safari/537.36 Edg/139.0.0.0';
    const headers = buildAirbnbHeaders({
      apiKey: 'k',
      account: { ...account, userAgent: windowsEdge },
      trace,
    });
    expect(headers.cookie).toBeUndefined();
    expect(headers['sec-ch-ua']).toBe('"Microsoft Edge";v="139", "Not;A=Brand";v="99", "Chromium";v="139"');
    expect(headers['sec-ch-ua-platform']).toBe('"Windows"');
  });

  it('refuses header injection without echoing the value', () => {
    const attempt = () =>
      buildAirbnbHeaders({ apiKey: 'k', account: { ...account, userAgent: `UA ${SECRET}\r\nx: y` }, trace });
    expect(attempt).toThrow(FatalRequestError);
    expect(attempt).toThrow('the user-agent header contains a line break or NUL');
  });
});

describe('createSessionJar', () => {
  it('refuses an empty cookie as an account problem', () => {
    expect(() => createSessionJar('https://www.airbnb.com', ' ')).toThrow(AccountAuthError);
  });

  it('seeds airbnb.com cookies for the whole domain', async () => {
    const jar = createSessionJar('https://www.airbnb.com', '_aat=A; li=1');
    expect(await jar.getCookieString('https://api.airbnb.com/x')).toBe('_aat=A; li=1');
    expect(await jar.getCookieString('https://example.com/')).toBe('');
  });
});

describe('createSyncTraceIds', () => {
  it('makes three 30-character [a-z0-9] ids', () => {
    const ids = createSyncTraceIds();
    for (const id of Object.values(ids)) expect(id).toMatch(/^[a-z0-9]{30}$/);
    expect(new Set(Object.values(ids)).size).toBe(3);
  });

  it('draws from the injected random source', () => {
    expect(createSyncTraceIds(() => 35).clientTraceId).toBe('9'.repeat(30));
  });
});
