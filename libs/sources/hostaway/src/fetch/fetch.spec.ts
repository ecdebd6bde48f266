import {
  AccountAuthError,
  parseEnv,
  type FetchJobContext,
  type FetchMode,
  type RawEnvelope,
} from '@staysync/core';
import {
  type HostawaySimulator,
  type HostawaySimulatorOptions,
  startHostawaySimulator,
} from '@staysync/simulators';
import type { HostawayCredentials } from '../credentials';
import { HostawayIpRateLimit } from '../rate-limit';
import { HOSTAWAY_SENSITIVE_FIELDS } from '../sensitive-fields';
import {
  hostawayFetchPlugin,
  INCREMENTAL_UNFILTERED_NOTE,
  INCREMENTAL_WITHOUT_WATERMARK_NOTE,
  type HostawayFetchOptions,
} from './hostaway-fetch-plugin';
import { hostawayFetch, hostawayFetchShape } from './config';
import { hostawayRequestKey } from './envelope';

const SECRET = 'CLIENT-SECRET-xyz';
const ACCOUNT_ID = 10001;
const ACCOUNT = String(ACCOUNT_ID);
const SCRAPE_DATE = '2025-07-03';
/** The simulator's now(): its generated history ends here. */
const NOW = new Date('2025-07-03T12:00:00Z');
/**
 * Upstream data: 2 listings, 6 reservations, 6 conversations of 3 messages each. At 2 per page:
 * 1 listings page, 3 reservations pages, 3 conversations pages and 2 pages per thread.
 */
const SHAPE = { listings: 2, reservationsPerListing: 3, messagesPerConversation: 3 };
const PAGE_SIZE = 2;
const TOKEN_TTL_S = 3600;

interface Recorded {
  published: RawEnvelope[];
  planned: Record<string, number>;
  fetched: Record<string, number>;
  failed: Array<[string, string]>;
  notes: string[];
  saved: Array<Partial<HostawayCredentials>>;
  retries: string[];
  requests: Array<[string, string]>;
}

describe('hostawayFetchPlugin (against the Hostaway simulator)', () => {
  let sim: HostawaySimulator;
  /** the account's stored token: issued by the simulator, usable at once */
  let stored: string;
  let options: HostawayFetchOptions;

  /** (Re)starts the simulator; tokens are usable at once and rate limits are the plug-in's alone unless asked. */
  const simulate = async (extra: Partial<HostawaySimulatorOptions> = {}) => {
    await sim?.stop();
    sim = await startHostawaySimulator({
      accounts: [{ accountId: ACCOUNT_ID, clientSecret: SECRET, ...SHAPE }],
      now: () => NOW,
      rateLimits: false,
      tokenWarmupMs: 0,
      tokenTtlMs: TOKEN_TTL_S * 1000,
      recordRequests: true,
      ...extra,
    });
    stored = sim.issueToken(ACCOUNT_ID);
    options.baseUrl = sim.url;
  };

  beforeEach(async () => {
    options = {
      baseUrl: '',
      pageSize: PAGE_SIZE,
      concurrency: 4,
      accountRate: 1000,
      ipRate: 1000,
      rateWindowMs: 1000,
      timeoutMs: 1000,
      tokenWarmupMs: 0,
      retryBaseMs: 5,
      ipRateLimit: new HostawayIpRateLimit({ ipRate: 1000, windowMs: 1000 }),
    };
    await simulate();
  });
  afterAll(() => sim.stop());

  function context(
    overrides: {
      mode?: FetchMode;
      account?: Record<string, unknown>;
      credentials?: Partial<HostawayCredentials>;
      skip?: string[];
      signal?: AbortSignal;
      /** called after each request is observed */
      onRequest?: (operation: string) => void;
    } = {},
  ): { ctx: FetchJobContext<HostawayCredentials>; recorded: Recorded } {
    const recorded: Recorded = {
      published: [],
      planned: {},
      fetched: {},
      failed: [],
      notes: [],
      saved: [],
      retries: [],
      requests: [],
    };
    const ctx: FetchJobContext<HostawayCredentials> = {
      job: {
        id: 'job-1',
        source: 'hostaway',
        accountId: ACCOUNT,
        mode: overrides.mode ?? 'full',
        scrapeDate: SCRAPE_DATE,
      },
      account: { account_id: ACCOUNT, last_sync_at: null, ...overrides.account },
      credentials: async () => ({
        accountId: ACCOUNT,
        clientSecret: SECRET,
        accessToken: stored,
        accessTokenIssuedAt: new Date('2025-01-01T00:00:00Z'),
        accessTokenExpiresAt: null,
        ...overrides.credentials,
      }),
      publish: async (envelopes) => void recorded.published.push(...envelopes),
      skipRequestKeys: new Set(overrides.skip ?? []),
      progress: {
        planned: (r, n) => void (recorded.planned[r] = (recorded.planned[r] ?? 0) + n),
        fetched: (r, n = 1) => void (recorded.fetched[r] = (recorded.fetched[r] ?? 0) + n),
        failed: (r, e) => void recorded.failed.push([r, e instanceof Error ? e.message : String(e)]),
      },
      observer: {
        request: (op, status) => {
          recorded.requests.push([op, status]);
          overrides.onRequest?.(op);
        },
        retry: (op) => void recorded.retries.push(op),
      },
      signal: overrides.signal ?? new AbortController().signal,
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
      saveCredentials: async (update) => void recorded.saved.push(update),
      note: (message) => void recorded.notes.push(message),
    };
    return { ctx, recorded };
  }

  const run = (ctx: FetchJobContext<HostawayCredentials>, extra: Partial<HostawayFetchOptions> = {}) =>
    hostawayFetchPlugin({ ...options, ...extra }).runJob(ctx);
  /** requests the simulator received whose path (below /v1/) starts with `prefix` */
  const requestsTo = (prefix: string) => sim.requests().filter((r) => r.path.startsWith(`/v1/${prefix}`));
  /** the queries of the requests to exactly `path`, by offset */
  const queries = (path: string) =>
    sim
      .requests()
      .filter((r) => r.path === `/v1/${path}`)
      .map((r) => r.query)
      .sort((a, b) => Number(a.offset) - Number(b.offset));
  const conversationIds = () => sim.conversations(ACCOUNT_ID).map((c) => String(c.id));
  const key = (k: string) => `hostaway:${ACCOUNT}:${SCRAPE_DATE}:${k}`;
  /** the results of the published pages of `operation` (and thread), in offset order */
  const publishedRows = (recorded: Recorded, operation: string, resourceId: string | null = null) =>
    recorded.published
      .filter((e) => e.operation === operation && e.resourceId === resourceId)
      .sort((a, b) => Number(a.variables.offset) - Number(b.variables.offset))
      .flatMap((e) => (e.body as { result: unknown[] }).result);

  it('builds its fetcher config section from the environment and its plug-in from that section', () => {
    const config = hostawayFetch.config(
      parseEnv(hostawayFetchShape, {
        HOSTAWAY_PAGE_SIZE: '50',
        HOSTAWAY_SENSITIVE_FIELDS: 'wifiPassword',
        HOSTAWAY_SENSITIVE_FIELD_PATTERN: 'token',
      }),
    );
    const sensitiveFields = { names: ['wifiPassword'], pattern: /token/i };
    expect(config).toEqual({
      baseUrl: 'https://api.hostaway.com/v1/',
      pageSize: 50,
      concurrency: 4,
      accountRate: 20,
      ipRate: 15,
      rateWindowMs: 10_000,
      timeoutMs: 5000,
      sensitiveFields,
    });
    expect(hostawayFetch.plugin(config)).toMatchObject({ source: 'hostaway', sensitiveFields });
    expect(hostawayFetchPlugin(options).sensitiveFields).toBe(HOSTAWAY_SENSITIVE_FIELDS);
  });

  it('full job: pages by limit/offset from count (never `page`), publishes every page, threads last-page-first', async () => {
    const { ctx, recorded } = context();
    expect(await run(ctx)).toEqual({ status: 'completed' });

    const stats = sim.stats();
    expect(stats.requests).toBe(sim.expectedRequestsForFullSync(ACCOUNT_ID, PAGE_SIZE));
    expect(stats.byKind).toMatchObject({
      accessTokens: 0,
      listings: 1,
      reservations: 3,
      conversations: 3,
      messages: 12,
    });
    expect(queries('reservations')).toEqual([
      { limit: '2', offset: '0' },
      { limit: '2', offset: '2' },
      { limit: '2', offset: '4' },
    ]);
    expect(sim.requests().some((r) => 'page' in r.query)).toBe(false);
    const threads = conversationIds();
    for (const id of threads) {
      expect(queries(`conversations/${id}/messages`).map((q) => q.offset)).toEqual(['0', '2']);
    }

    const keys = recorded.published.map((e) => e.requestKey);
    expect(keys.sort()).toEqual(
      [
        'listings:-:0',
        'reservations:-:0',
        'reservations:-:2',
        'reservations:-:4',
        'conversations:-:0',
        'conversations:-:2',
        'conversations:-:4',
        ...threads.flatMap((id) => [`messages:${id}:0`, `messages:${id}:2`]),
      ]
        .map(key)
        .sort(),
    );
    // a thread's first page is published after its other pages
    const order = recorded.published.map((e) => e.requestKey);
    for (const id of threads) {
      expect(
        order.indexOf(
          hostawayRequestKey(
            { jobId: 'job-1', accountId: ACCOUNT, scrapeDate: SCRAPE_DATE },
            'messages',
            id,
            0,
          ),
        ),
      ).toBeGreaterThan(order.indexOf(key(`messages:${id}:2`)));
    }

    const listings = recorded.published.find((e) => e.operation === 'listings')!;
    expect(listings).toEqual({
      schemaVersion: 1,
      jobId: 'job-1',
      source: 'hostaway',
      accountId: ACCOUNT,
      operation: 'listings',
      resourceId: null,
      requestKey: key('listings:-:0'),
      variables: { limit: 2, offset: 0 },
      window: null,
      scrapeDate: SCRAPE_DATE,
      fetchedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      httpStatus: 200,
      body: { status: 'success', result: sim.listings(ACCOUNT_ID), count: 2, limit: 2, offset: 0 },
    });
    const thread = recorded.published.find((e) => e.requestKey === key(`messages:${threads[1]}:2`))!;
    expect([thread.operation, thread.resourceId, thread.variables]).toEqual([
      'messages',
      threads[1],
      { limit: 2, offset: 2 },
    ]);
    // the pages hold upstream's data, all of it, in upstream's order
    expect(publishedRows(recorded, 'reservations')).toEqual(sim.reservations(ACCOUNT_ID));
    expect(publishedRows(recorded, 'conversations')).toEqual(sim.conversations(ACCOUNT_ID));
    for (const id of threads) {
      expect(publishedRows(recorded, 'messages', id)).toEqual(sim.messages(ACCOUNT_ID, Number(id)));
    }

    expect(recorded.planned).toEqual({ listings: 1, reservations: 3, conversations: 3, messages: 12 });
    expect(recorded.fetched).toEqual({ listings: 1, reservations: 3, conversations: 3, messages: 12 });
    expect(recorded.failed).toEqual([]);
    expect(recorded.notes).toEqual([]);
    const published = JSON.stringify(recorded.published);
    for (const secret of [SECRET, stored]) expect(published).not.toContain(secret);
  });

  it('a 403 on the stored token → exactly one mint, persisted, and the request retried with it', async () => {
    sim.expireTokens(ACCOUNT_ID);
    const { ctx, recorded } = context();
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(sim.stats().tokensIssued).toBe(1);
    expect(requestsTo('accessTokens')).toHaveLength(1);
    expect(recorded.saved).toHaveLength(1);
    const minted = recorded.saved[0].accessToken!;
    expect(requestsTo('listings').map((r) => r.headers.authorization)).toEqual([
      `Bearer ${stored}`,
      `Bearer ${minted}`,
    ]);
    expect(
      recorded.saved[0].accessTokenExpiresAt!.getTime() - recorded.saved[0].accessTokenIssuedAt!.getTime(),
    ).toBe(TOKEN_TTL_S * 1000);
    expect(recorded.published).toHaveLength(sim.expectedRequestsForFullSync(ACCOUNT_ID, PAGE_SIZE));
    expect(sim.stats().forbidden).toBe(1);
    expect(JSON.stringify(recorded.published)).not.toContain(minted);
  });

  // Upstream refuses a token used within ~1 s of its issue (reference §1): a simulator that asks for
  // a minute refuses the freshly minted token the plug-in (told to wait 0 ms) uses at once.
  it('a 403 after a fresh mint → auth_failed, no loop, nothing else requested', async () => {
    await simulate({ tokenWarmupMs: 60_000 });
    sim.expireTokens(ACCOUNT_ID);
    const { ctx, recorded } = context();
    const outcome = await run(ctx);
    expect(outcome.status).toBe('auth_failed');
    expect(outcome.status === 'auth_failed' && outcome.error).toBeInstanceOf(AccountAuthError);
    expect(outcome.status === 'auth_failed' && outcome.error.message).toBe(
      'Hostaway rejected the access token again right after a refresh',
    );
    expect(sim.stats().tokensIssued).toBe(1);
    expect(sim.requests().map((r) => r.path)).toEqual(['/v1/listings', '/v1/accessTokens', '/v1/listings']);
    // the stored token expired, the fresh one not active yet
    expect(sim.stats().forbidden).toBe(2);
    expect(recorded.published).toEqual([]);
  });

  it('no stored token: mints first; a 403 with that fresh token → auth_failed without a second mint', async () => {
    await simulate({ tokenWarmupMs: 60_000 });
    const { ctx } = context({ credentials: { accessToken: null, accessTokenIssuedAt: null } });
    const outcome = await run(ctx);
    expect(outcome).toEqual({ status: 'auth_failed', error: expect.any(AccountAuthError) });
    expect(sim.requests().map((r) => r.path)).toEqual(['/v1/accessTokens', '/v1/listings']);
  });

  it('a refused client secret → auth_failed with a message naming no secret', async () => {
    const wrong = context({ credentials: { accessToken: null, clientSecret: 'not-the-secret' } });
    const refused = await run(wrong.ctx);
    expect(refused.status === 'auth_failed' && refused.error.message).toBe(
      'Hostaway refused the client credentials (401): Client authentication failed',
    );
    expect(wrong.recorded.published).toEqual([]);

    // an upstream message that echoes the secret is redacted
    sim.addFaults({ failNext: [{ path: 'accessTokens', status: 400, message: `bad secret ${SECRET}` }] });
    const { ctx } = context({ credentials: { accessToken: null } });
    const outcome = await run(ctx);
    expect(outcome.status === 'auth_failed' && outcome.error.message).toBe(
      'Hostaway refused the client credentials (400): bad secret [redacted]',
    );
  });

  it('429 with Retry-After → waits as asked, then retries', async () => {
    sim.addFaults({ failNext: [{ path: 'listings', status: 429, message: 'Too many requests' }] });
    const { ctx, recorded } = context();
    expect(await run(ctx)).toEqual({ status: 'completed' });
    const [first, second] = requestsTo('listings');
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1000);
    expect(recorded.retries).toEqual(['listings']);
    expect(recorded.requests.filter(([op]) => op === 'listings')).toEqual([
      ['listings', 'transient'],
      ['listings', 'ok'],
    ]);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    await simulate({ latencyMs: 40 });
    const { ctx, recorded } = context();
    expect(await run(ctx, { concurrency: 2 })).toEqual({ status: 'completed' });
    expect(recorded.fetched).toEqual({ listings: 1, reservations: 3, conversations: 3, messages: 12 });
    expect(sim.stats().peakConcurrency).toBe(2);
    expect(sim.stats().byAccount[ACCOUNT].peakConcurrency).toBe(2);
  });

  it('a resumed job skips stored message threads only; lists are fetched again', async () => {
    const [skipped, half, ...rest] = conversationIds();
    const { ctx, recorded } = context({
      skip: [
        key('listings:-:0'),
        key(`messages:${skipped}:0`),
        key(`messages:${half}:0`),
        key(`messages:${half}:2`),
      ],
    });
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(requestsTo('listings')).toHaveLength(1);
    expect(requestsTo(`conversations/${skipped}/`)).toHaveLength(0);
    expect(requestsTo(`conversations/${half}/`)).toHaveLength(0);
    for (const id of rest) expect(requestsTo(`conversations/${id}/`)).toHaveLength(2);
    expect(
      recorded.published
        .map((e) => e.requestKey)
        .filter((k) => k.includes(':messages:'))
        .sort(),
    ).toEqual(rest.flatMap((id) => [key(`messages:${id}:0`), key(`messages:${id}:2`)]).sort());
    expect(recorded.fetched.messages).toBe(1 + 1 + rest.length * 2);
  });

  it('a thread whose first page is missing is fetched again, skipping its stored later pages', async () => {
    const thread = conversationIds()[1];
    const { ctx, recorded } = context({ skip: [key(`messages:${thread}:2`)] });
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(queries(`conversations/${thread}/messages`).map((q) => q.offset)).toEqual(['0']);
    expect(recorded.fetched.messages).toBe(12);
  });

  it('incremental: listings and reservations narrowed by last_sync_at (UTC), the rest in full with a note', async () => {
    const since = '2025-06-01 03:04:05';
    const { ctx, recorded } = context({
      mode: 'incremental',
      account: { last_sync_at: new Date('2025-06-01T03:04:05.678Z') },
    });
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(requestsTo('listings')[0].query.latestActivityStart).toBe(since);
    // upstream's filter leaves some reservations out: 3 of 6, 2 pages
    const changed = sim.reservations(ACCOUNT_ID).filter((r) => r.latestActivityOn >= since);
    expect(changed).toHaveLength(3);
    expect(queries('reservations').map((q) => q.latestActivityStart)).toEqual([since, since]);
    expect(publishedRows(recorded, 'reservations')).toEqual(changed);
    expect(requestsTo('conversations').some((r) => 'latestActivityStart' in r.query)).toBe(false);
    expect(recorded.notes).toEqual([INCREMENTAL_UNFILTERED_NOTE]);
    expect(recorded.published.find((e) => e.operation === 'reservations')!.variables).toEqual({
      latestActivityStart: since,
      limit: 2,
      offset: 0,
    });
  });

  it('incremental without last_sync_at runs in full and says so', async () => {
    const { ctx, recorded } = context({ mode: 'incremental' });
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(sim.requests().some((r) => 'latestActivityStart' in r.query)).toBe(false);
    expect(recorded.notes).toEqual([INCREMENTAL_WITHOUT_WATERMARK_NOTE]);
  });

  it('a list page failing after its retries fails the job', async () => {
    sim.addFaults({ failNext: [{ path: 'reservations', query: { offset: '2' }, status: 500, times: 3 }] });
    const { ctx, recorded } = context();
    const outcome = await run(ctx);
    expect(outcome.status === 'failed' && outcome.error.message).toBe(
      'the reservations list could not be fetched: Hostaway answered reservations with HTTP 500: Simulated 500',
    );
    expect(queries('reservations').filter((q) => q.offset === '2')).toHaveLength(3);
    expect(sim.stats().faults.failed).toBe(3);
    expect(recorded.retries).toEqual(['reservations', 'reservations']);
    expect(recorded.failed).toEqual([
      ['reservations', 'Hostaway answered reservations with HTTP 500: Simulated 500'],
    ]);
    expect(requestsTo('conversations')).toHaveLength(0);
  });

  it('one thread failing: the others are fetched, the job ends failed naming it', async () => {
    const [failing, ...others] = conversationIds();
    sim.addFaults({
      failNext: [{ path: `/v1/conversations/${failing}/messages`, status: 400, message: 'bad' }],
    });
    const { ctx, recorded } = context();
    const outcome = await run(ctx);
    const error = `Hostaway answered conversations/${failing}/messages with HTTP 400: bad`;
    expect(outcome.status === 'failed' && outcome.error.message).toBe(
      `messages of 1 of ${others.length + 1} conversations could not be fetched; first: conversation ${failing}: ${error}`,
    );
    expect(recorded.failed).toEqual([['messages', error]]);
    expect(requestsTo(`conversations/${failing}/`)).toHaveLength(1);
    expect(
      recorded.published
        .filter((e) => e.operation === 'messages')
        .map((e) => e.resourceId)
        .sort(),
    ).toEqual(others.flatMap((id) => [id, id]).sort());
  });

  it('stops starting requests once aborted', async () => {
    const abort = new AbortController();
    const { ctx, recorded } = context({
      signal: abort.signal,
      onRequest: (operation) => {
        if (operation === 'reservations') abort.abort();
      },
    });
    expect(await run(ctx)).toEqual({ status: 'aborted' });
    expect(requestsTo('conversations')).toHaveLength(0);
    expect(recorded.failed).toEqual([]);
  });
});

describe('hostaway credentials', () => {
  const plugin = hostawayFetchPlugin({
    baseUrl: 'http://127.0.0.1:1/v1/',
    pageSize: 100,
    concurrency: 4,
    accountRate: 20,
    ipRate: 15,
    rateWindowMs: 10_000,
    timeoutMs: 5000,
  });

  it('reads the account row, opening sealed columns', () => {
    const open = (sealed: string) => sealed.replace(/^sealed:/, '');
    const issued = new Date('2025-07-01T00:00:00Z');
    expect(
      plugin.readCredentials(
        {
          account_id: '10001',
          client_secret: 'sealed:secret',
          access_token: 'sealed:token',
          access_token_issued_at: issued,
          access_token_expires_at: '2027-07-01T00:00:00Z',
        },
        open,
      ),
    ).toEqual({
      accountId: '10001',
      clientSecret: 'secret',
      accessToken: 'token',
      accessTokenIssuedAt: issued,
      accessTokenExpiresAt: new Date('2027-07-01T00:00:00Z'),
    });
    expect(
      plugin.readCredentials({ account_id: '10001', client_secret: 'sealed:s', access_token: null }, open),
    ).toEqual({
      accountId: '10001',
      clientSecret: 's',
      accessToken: null,
      accessTokenIssuedAt: null,
      accessTokenExpiresAt: null,
    });
  });

  it('stores a renewed token sealed, with its timestamps', () => {
    expect(
      plugin.credentialColumns!(
        {
          accessToken: 'tok',
          accessTokenIssuedAt: new Date('2025-07-01T00:00:00Z'),
          accessTokenExpiresAt: new Date('2025-07-01T01:00:00Z'),
        },
        (plain) => `sealed(${plain})`,
      ),
    ).toEqual({
      access_token: 'sealed(tok)',
      access_token_issued_at: '2025-07-01T00:00:00.000Z',
      access_token_expires_at: '2025-07-01T01:00:00.000Z',
    });
  });
});
