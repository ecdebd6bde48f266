import { inspect } from 'node:util';
import { AccountAuthError, FatalRequestError, TransientError } from '@staysync/core';
import { FakeHostaway, page } from './__fixtures__/fake-hostaway';
import { createHostawayClient, normalizeBaseUrl, type HostawayClient } from './client';
import { TokenRejectedError } from './errors';

const SECRET = 'S3CRET-client-secret';
const TOKEN = 'eyJ.TOKEN-VALUE.sig';

describe('HostawayClient (against a local HTTP server)', () => {
  let fake: FakeHostaway;
  let client: HostawayClient;

  beforeAll(async () => {
    fake = await FakeHostaway.start();
  });
  beforeEach(() => {
    fake.seen.length = 0;
    client = createHostawayClient({ baseUrl: fake.baseUrl, timeoutMs: 300 });
  });
  afterEach(() => client.close());
  afterAll(() => fake.close());

  const caught = async (promise: Promise<unknown>): Promise<Error> => {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a rejection');
  };

  describe('mintToken', () => {
    it('posts the client-credentials form with Cache-Control: no-cache', async () => {
      fake.handler = () => ({ body: { token_type: 'Bearer', expires_in: 63072000, access_token: TOKEN } });
      const before = Date.now();
      const minted = await client.mintToken('10001', SECRET);
      expect(minted.accessToken).toBe(TOKEN);
      expect(minted.expiresIn).toBe(63072000);
      expect(minted.issuedAt.getTime()).toBeGreaterThanOrEqual(before);
      const [req] = fake.seen;
      expect([req.method, req.path]).toEqual(['POST', 'accessTokens']);
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(req.headers['cache-control']).toBe('no-cache');
      expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
        grant_type: 'client_credentials',
        client_id: '10001',
        client_secret: SECRET,
        scope: 'general',
      });
    });

    it('a 2xx without access_token is an account failure', async () => {
      fake.handler = () => ({ body: { token_type: 'Bearer', expires_in: 1 } });
      const error = await caught(client.mintToken('10001', SECRET));
      expect(error).toBeInstanceOf(AccountAuthError);
      expect(error.message).toBe('Hostaway issued no access token');
    });

    it('a 4xx (bad secret) is an account failure that never echoes the secret', async () => {
      fake.handler = () => ({
        status: 401,
        body: { status: 'fail', message: `invalid client_secret ${SECRET}` },
      });
      const error = await caught(client.mintToken('10001', SECRET));
      expect(error).toBeInstanceOf(AccountAuthError);
      expect(error.message).toBe(
        'Hostaway refused the client credentials (401): invalid client_secret [redacted]',
      );
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(SECRET);
    });

    it('429 and 5xx from the token endpoint are transient', async () => {
      fake.handler = () => ({
        status: 429,
        headers: { 'retry-after': '3' },
        body: { status: 'fail', message: 'slow down' },
      });
      const limited = await caught(client.mintToken('10001', SECRET));
      expect(limited).toBeInstanceOf(TransientError);
      expect((limited as TransientError).retryAfterMs).toBe(3000);
      fake.handler = () => ({ status: 502, raw: '<html>bad gateway</html>' });
      expect(await caught(client.mintToken('10001', SECRET))).toBeInstanceOf(TransientError);
    });
  });

  describe('getPage', () => {
    it('sends limit/offset and the bearer token, returns the envelope', async () => {
      fake.handler = (req) => ({ body: page([1, 2, 3], req.query) });
      const response = await client.getPage('listings', { limit: 2, offset: 2 }, TOKEN);
      expect(response).toEqual({
        httpStatus: 200,
        body: { status: 'success', result: [3], count: 3, limit: 2, offset: 2 },
      });
      expect(fake.seen[0].path).toBe('listings');
      expect(fake.seen[0].query).toEqual({ limit: '2', offset: '2' });
      expect(fake.seen[0].headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('403 → TokenRejectedError carrying the token without ever printing it', async () => {
      fake.handler = () => ({ status: 403, body: { status: 'fail', message: `token ${TOKEN} expired` } });
      const error = await caught(client.getPage('reservations', { limit: 100, offset: 0 }, TOKEN));
      expect(error).toBeInstanceOf(TokenRejectedError);
      expect(error).toBeInstanceOf(AccountAuthError);
      expect((error as TokenRejectedError).rejectedToken).toBe(TOKEN);
      expect(error.message).toBe(
        'Hostaway rejected the access token (403) for reservations: token [redacted] expired',
      );
      expect(JSON.stringify(error)).not.toContain(TOKEN);
      expect(inspect(error)).not.toContain(TOKEN);
    });

    it('429 → transient with Retry-After; 5xx → transient', async () => {
      fake.handler = () => ({
        status: 429,
        headers: { 'retry-after': '2' },
        body: { status: 'fail', message: 'Too many' },
      });
      const limited = await caught(client.getPage('listings', {}, TOKEN));
      expect(limited).toBeInstanceOf(TransientError);
      expect((limited as TransientError).retryAfterMs).toBe(2000);
      fake.handler = () => ({ status: 503, body: {} });
      const unavailable = await caught(client.getPage('listings', {}, TOKEN));
      expect(unavailable).toBeInstanceOf(TransientError);
      expect(unavailable.message).toBe('Hostaway answered listings with HTTP 503');
    });

    it('status fail bodies, other 4xx and bodies without result are fatal', async () => {
      fake.handler = () => ({ body: { status: 'fail', result: 'Unknown parameter' } });
      const fail = await caught(client.getPage('listings', {}, TOKEN));
      expect(fail).toBeInstanceOf(FatalRequestError);
      expect(fail.message).toBe('Hostaway failed listings: Unknown parameter');
      fake.handler = () => ({ status: 404, body: { status: 'fail', message: 'Not found' } });
      expect(await caught(client.getPage('listings', {}, TOKEN))).toBeInstanceOf(FatalRequestError);
      fake.handler = () => ({ body: { status: 'success' } });
      expect((await caught(client.getPage('listings', {}, TOKEN))).message).toBe(
        'Hostaway answered listings without a result array',
      );
    });

    it('timeouts and network failures are transient and name no secret', async () => {
      fake.handler = () => ({ delayMs: 1000, body: page([], {}) });
      const timedOut = await caught(client.getPage('listings', {}, TOKEN));
      expect(timedOut).toBeInstanceOf(TransientError);
      expect(timedOut.message).toBe('Hostaway listings timed out after 300 ms');
      expect(timedOut.cause).toBeUndefined();

      const unreachable = createHostawayClient({ baseUrl: 'http://127.0.0.1:1/v1/', timeoutMs: 300 });
      const refused = await caught(unreachable.getPage('listings', {}, TOKEN));
      unreachable.close();
      expect(refused).toBeInstanceOf(TransientError);
      expect(refused.message).toBe('Hostaway listings request failed: ECONNREFUSED');
    });
  });

  it('normalizes the base URL: bare origins get /v1/, paths get a trailing slash', () => {
    expect(normalizeBaseUrl('https://api.hostaway.com')).toBe('https://api.hostaway.com/v1/');
    expect(normalizeBaseUrl('https://api.hostaway.com/v1')).toBe('https://api.hostaway.com/v1/');
    expect(normalizeBaseUrl('http://127.0.0.1:8080/v1/')).toBe('http://127.0.0.1:8080/v1/');
  });
});
