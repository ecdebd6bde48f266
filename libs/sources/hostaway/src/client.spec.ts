import { inspect } from 'node:util';
import { AccountAuthError, FatalRequestError, TransientError } from '@staysync/core';
import {
  type HostawaySimulator,
  type HostawaySimulatorOptions,
  startHostawaySimulator,
} from '@staysync/simulators';
import { createHostawayClient, normalizeBaseUrl, type HostawayClient } from './client';
import { TokenRejectedError } from './errors';

const ACCOUNT = 10001;
const SECRET = 'S3CRET-client-secret';

describe('HostawayClient (against the Hostaway simulator)', () => {
  let sim: HostawaySimulator;
  let client: HostawayClient;

  /** A simulator with one account (3 listings), no rate limits unless asked, tokens usable at once. */
  const simulate = (options: Partial<HostawaySimulatorOptions> = {}) =>
    startHostawaySimulator({
      accounts: [{ accountId: ACCOUNT, clientSecret: SECRET }],
      rateLimits: false,
      tokenWarmupMs: 0,
      recordRequests: true,
      ...options,
    });

  beforeEach(async () => {
    sim = await simulate();
    client = createHostawayClient({ baseUrl: sim.url, timeoutMs: 300 });
  });
  afterEach(async () => {
    client.close();
    await sim.stop();
  });

  /** A client of its own simulator, stopped at the end of the test. */
  const withSimulator = async (
    options: Partial<HostawaySimulatorOptions>,
    use: (sim: HostawaySimulator, client: HostawayClient) => Promise<void>,
  ) => {
    const own = await simulate(options);
    const ownClient = createHostawayClient({ baseUrl: own.url, timeoutMs: 300 });
    try {
      await use(own, ownClient);
    } finally {
      ownClient.close();
      await own.stop();
    }
  };

  const caught = async (promise: Promise<unknown>): Promise<Error> => {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('expected a rejection');
  };

  describe('mintToken', () => {
    it('posts the client-credentials form with Cache-Control: no-cache and gets a usable token', async () => {
      const before = Date.now();
      const minted = await client.mintToken(String(ACCOUNT), SECRET);
      expect(minted.expiresIn).toBe(63072000);
      expect(minted.issuedAt.getTime()).toBeGreaterThanOrEqual(before);
      const [req] = sim.requests();
      expect([req.method, req.path]).toEqual(['POST', '/v1/accessTokens']);
      expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(req.headers['cache-control']).toBe('no-cache');
      expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
        grant_type: 'client_credentials',
        client_id: String(ACCOUNT),
        client_secret: SECRET,
        scope: 'general',
      });
      expect(sim.stats().tokensIssued).toBe(1);
      await expect(client.getPage('listings', {}, minted.accessToken)).resolves.toMatchObject({
        httpStatus: 200,
      });
    });

    it('a 4xx (bad secret) is an account failure that never echoes the secret', async () => {
      const refused = await caught(client.mintToken(String(ACCOUNT), 'not-the-secret'));
      expect(refused).toBeInstanceOf(AccountAuthError);
      expect(refused.message).toBe(
        'Hostaway refused the client credentials (401): Client authentication failed',
      );

      // an upstream message that echoes the secret is redacted
      sim.addFaults({
        failNext: [{ path: 'accessTokens', status: 401, message: `invalid client_secret ${SECRET}` }],
      });
      const echoed = await caught(client.mintToken(String(ACCOUNT), SECRET));
      expect(echoed).toBeInstanceOf(AccountAuthError);
      expect(echoed.message).toBe(
        'Hostaway refused the client credentials (401): invalid client_secret [redacted]',
      );
      expect(JSON.stringify({ ...echoed, message: echoed.message })).not.toContain(SECRET);
    });

    it('429 and 5xx from the token endpoint are transient', async () => {
      await withSimulator(
        {
          rateLimits: { perIp: { limit: 1, windowMs: 3000 }, perAccount: false },
          clock: () => 1_700_000_000_000,
        },
        async (limitedSim, limitedClient) => {
          await limitedClient.mintToken(String(ACCOUNT), SECRET);
          const limited = await caught(limitedClient.mintToken(String(ACCOUNT), SECRET));
          expect(limited).toBeInstanceOf(TransientError);
          expect((limited as TransientError).retryAfterMs).toBe(3000);
          expect(limitedSim.stats().rateLimited).toBe(1);
        },
      );
      sim.addFaults({ failNext: [{ path: 'accessTokens', status: 502 }] });
      const unavailable = await caught(client.mintToken(String(ACCOUNT), SECRET));
      expect(unavailable).toBeInstanceOf(TransientError);
      expect(unavailable.message).toBe('Hostaway answered accessTokens with HTTP 502: Simulated 502');
    });
  });

  describe('getPage', () => {
    it('sends limit/offset and the bearer token, returns the envelope', async () => {
      const token = sim.issueToken(ACCOUNT);
      const response = await client.getPage('listings', { limit: 2, offset: 2 }, token);
      expect(response).toEqual({
        httpStatus: 200,
        body: { status: 'success', result: sim.listings(ACCOUNT).slice(2), count: 3, limit: 2, offset: 2 },
      });
      const [req] = sim.requests();
      expect(req.path).toBe('/v1/listings');
      expect(req.query).toEqual({ limit: '2', offset: '2' });
      expect(req.headers.authorization).toBe(`Bearer ${token}`);
    });

    it('403 → TokenRejectedError carrying the token without ever printing it', async () => {
      const token = sim.issueToken(ACCOUNT);
      sim.expireTokens(ACCOUNT);
      const error = await caught(client.getPage('reservations', { limit: 100, offset: 0 }, token));
      expect(error).toBeInstanceOf(TokenRejectedError);
      expect(error).toBeInstanceOf(AccountAuthError);
      expect((error as TokenRejectedError).rejectedToken).toBe(token);
      expect(error.message).toBe(
        'Hostaway rejected the access token (403) for reservations: Unauthorized: access token expired or revoked',
      );
      expect(JSON.stringify(error)).not.toContain(token);
      expect(inspect(error)).not.toContain(token);

      // an upstream message that echoes the token is redacted
      const fresh = sim.issueToken(ACCOUNT);
      sim.addFaults({ failNext: [{ path: 'reservations', status: 403, message: `token ${fresh} expired` }] });
      const echoed = await caught(client.getPage('reservations', { limit: 100, offset: 0 }, fresh));
      expect(echoed).toBeInstanceOf(TokenRejectedError);
      expect((echoed as TokenRejectedError).rejectedToken).toBe(fresh);
      expect(echoed.message).toBe(
        'Hostaway rejected the access token (403) for reservations: token [redacted] expired',
      );
      expect(JSON.stringify(echoed)).not.toContain(fresh);
      expect(inspect(echoed)).not.toContain(fresh);
    });

    it('429 → transient with Retry-After; 5xx → transient', async () => {
      await withSimulator(
        {
          rateLimits: { perIp: false, perAccount: { limit: 1, windowMs: 2000 } },
          clock: () => 1_700_000_000_000,
        },
        async (limitedSim, limitedClient) => {
          const token = limitedSim.issueToken(ACCOUNT);
          await limitedClient.getPage('listings', {}, token);
          const limited = await caught(limitedClient.getPage('listings', {}, token));
          expect(limited).toBeInstanceOf(TransientError);
          expect((limited as TransientError).retryAfterMs).toBe(2000);
          expect(limited.message).toBe(
            `Hostaway rate-limited listings (429): Too Many Requests: rate limit of 1 requests per 2 s per account ${ACCOUNT} exceeded`,
          );
        },
      );
      sim.addFaults({ failNext: [{ path: 'listings', status: 503 }] });
      const unavailable = await caught(client.getPage('listings', {}, sim.issueToken(ACCOUNT)));
      expect(unavailable).toBeInstanceOf(TransientError);
      expect(unavailable.message).toBe('Hostaway answered listings with HTTP 503: Simulated 503');
    });

    it('other 4xx and bodies without a result array are fatal', async () => {
      const token = sim.issueToken(ACCOUNT);
      const badLimit = await caught(client.getPage('listings', { limit: 0 }, token));
      expect(badLimit).toBeInstanceOf(FatalRequestError);
      expect(badLimit.message).toBe('Hostaway answered listings with HTTP 400: limit must be ≥ 1');
      const unknownPath = await caught(client.getPage('nowhere', {}, token));
      expect(unknownPath).toBeInstanceOf(FatalRequestError);
      expect(unknownPath.message).toBe('Hostaway answered nowhere with HTTP 404: Not found: GET /v1/nowhere');
      // a single-object endpoint answers `result: {…}`, not a list
      const listingId = sim.listings(ACCOUNT)[0].id;
      const single = await caught(client.getPage(`listings/${listingId}`, {}, token));
      expect(single).toBeInstanceOf(FatalRequestError);
      expect(single.message).toBe(`Hostaway answered listings/${listingId} without a result array`);
    });

    it('timeouts and network failures are transient and name no secret', async () => {
      sim.addFaults({ hangNext: [{ path: 'listings', hangMs: 1000 }] });
      const timedOut = await caught(client.getPage('listings', {}, sim.issueToken(ACCOUNT)));
      expect(timedOut).toBeInstanceOf(TransientError);
      expect(timedOut.message).toBe('Hostaway listings timed out after 300 ms');
      expect(timedOut.cause).toBeUndefined();

      const unreachable = createHostawayClient({ baseUrl: 'http://127.0.0.1:1/v1/', timeoutMs: 300 });
      const refused = await caught(unreachable.getPage('listings', {}, 'some-token'));
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
