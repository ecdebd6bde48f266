import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AccountAuthError, FatalRequestError, TransientError } from '@staysync/core';
import { fixtureText, AIRBNB_FIXTURES } from '../fixtures/load';
import {
  AIRBNB_STATIC_HEADERS,
  buildAirbnbHeaders,
  createAirbnbClient,
  createSyncTraceIds,
  type AirbnbAccountCredentials,
  type AirbnbClient,
} from './client';
import { buildChartQueryPayload } from './payloads';

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
    client = createAirbnbClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: 'web-key', timeoutMs: 300 });
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
    const response = await client.request('ChartQuery', payload, account, trace);

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
      cookie: account.cookie,
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
    await client.request('ChartQuery', payload, account, trace);
    await client.request('ChartQuery', payload, account, trace);
    expect(seen).toHaveLength(2);
    expect(connections).toBe(1);
  });

  it.each([
    [401, '', AccountAuthError],
    [403, '<html>denied</html>', AccountAuthError],
    [429, '<html>slow down</html>', TransientError],
    [503, '', TransientError],
    [404, '', FatalRequestError],
  ])(
    'HTTP %i (body %j) → a classified error after exactly one attempt (got retries are off)',
    async (status, body, errorClass) => {
      handler = respond(status, body, { 'content-type': 'text/html' });
      await expect(client.request('ChartQuery', payload, account, trace)).rejects.toBeInstanceOf(errorClass);
      expect(seen).toHaveLength(1);
    },
  );

  it('passes Retry-After through as retryAfterMs', async () => {
    handler = respond(429, '', { 'retry-after': '7' });
    await expect(client.request('ChartQuery', payload, account, trace)).rejects.toMatchObject({
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
      .request('ListOfMetricsQuery', payload, account, trace)
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
    await expect(client.request('ChartQuery', payload, account, trace)).rejects.toBeInstanceOf(
      AccountAuthError,
    );
    expect(seen.map((s) => s.url?.slice(0, 6))).toEqual(['/api/v']);
  });

  it('a timeout → TransientError that never mentions the cookie', async () => {
    handler = () => undefined; // never answers
    const error = await client.request('ChartQuery', payload, account, trace).catch((e: unknown) => e);
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
      const error = await offline.request('ChartQuery', payload, account, trace).catch((e: unknown) => e);
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
  it('refuses an empty cookie as an account problem', () => {
    expect(() => buildAirbnbHeaders({ apiKey: 'k', account: { ...account, cookie: ' ' }, trace })).toThrow(
      AccountAuthError,
    );
  });

  it('refuses header injection without echoing the value', () => {
    const attempt = () =>
      buildAirbnbHeaders({ apiKey: 'k', account: { ...account, cookie: `a=${SECRET}\r\nx: y` }, trace });
    expect(attempt).toThrow(FatalRequestError);
    expect(attempt).toThrow('the cookie header contains a line break or NUL');
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
