import {
  AccountAuthError,
  parseEnv,
  type FetchJobContext,
  type FetchMode,
  type RawEnvelope,
} from '@staysync/core';
import { FakeHostaway, page, type Reply, type SeenRequest } from '../__fixtures__/fake-hostaway';
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
const STORED = 'stored-token-abc';
const ACCOUNT = '10001';
const SCRAPE_DATE = '2025-07-03';

const range = (n: number, f: (i: number) => unknown) => Array.from({ length: n }, (_, i) => f(i));

/** Upstream data: 2 listings, 250 reservations, 3 conversations; conversation 7002 has 150 messages. */
const DATA = {
  listings: range(2, (i) => ({ id: 100 + i, name: `L${i}` })),
  reservations: range(250, (i) => ({ id: 5000 + i, listingMapId: 100 })),
  conversations: [{ id: 7001 }, { id: 7002 }, { id: 7003 }],
  messages: {
    '7001': [{ id: 1, conversationId: 7001, date: '2025-07-01 10:00:00' }],
    '7002': range(150, (i) => ({ id: 100 + i, conversationId: 7002, date: '2025-07-01 10:00:00' })),
    '7003': [],
  } as Record<string, unknown[]>,
};

interface Upstream {
  validTokens: Set<string>;
  mints: number;
  /** per request: return a reply to override the dataset */
  override?: (req: SeenRequest) => Reply | undefined;
}

function hostawayHandler(upstream: Upstream) {
  return (req: SeenRequest): Reply => {
    const overridden = upstream.override?.(req);
    if (overridden) return overridden;
    if (req.path === 'accessTokens') {
      const token = `minted-${++upstream.mints}`;
      upstream.validTokens.add(token);
      return { body: { token_type: 'Bearer', expires_in: 3600, access_token: token } };
    }
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!upstream.validTokens.has(token))
      return { status: 403, body: { status: 'fail', message: 'Forbidden' } };
    const messages = /^conversations\/(\d+)\/messages$/.exec(req.path);
    if (messages)
      return { body: page(DATA.messages[messages[1]] ?? [], req.query, { page: 1, totalPages: 1 }) };
    const list = DATA[req.path as 'listings' | 'reservations' | 'conversations'];
    return list
      ? { body: page(list, req.query) }
      : { status: 404, body: { status: 'fail', message: 'unknown' } };
  };
}

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

function context(
  overrides: {
    mode?: FetchMode;
    account?: Record<string, unknown>;
    credentials?: Partial<HostawayCredentials>;
    skip?: string[];
    signal?: AbortSignal;
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
      accessToken: STORED,
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
      request: (op, status) => void recorded.requests.push([op, status]),
      retry: (op) => void recorded.retries.push(op),
    },
    signal: overrides.signal ?? new AbortController().signal,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
    saveCredentials: async (update) => void recorded.saved.push(update),
    note: (message) => void recorded.notes.push(message),
  };
  return { ctx, recorded };
}

describe('hostawayFetchPlugin (against a local HTTP server)', () => {
  let fake: FakeHostaway;
  let upstream: Upstream;
  let options: HostawayFetchOptions;

  beforeAll(async () => {
    fake = await FakeHostaway.start();
  });
  beforeEach(() => {
    fake.seen.length = 0;
    fake.peakInFlight = 0;
    upstream = { validTokens: new Set([STORED]), mints: 0 };
    fake.handler = hostawayHandler(upstream);
    options = {
      baseUrl: fake.baseUrl,
      pageSize: 100,
      concurrency: 4,
      accountRate: 1000,
      ipRate: 1000,
      rateWindowMs: 1000,
      timeoutMs: 1000,
      tokenWarmupMs: 0,
      retryBaseMs: 5,
      ipRateLimit: new HostawayIpRateLimit({ ipRate: 1000, windowMs: 1000 }),
    };
  });
  afterAll(() => fake.close());

  const run = (ctx: FetchJobContext<HostawayCredentials>, extra: Partial<HostawayFetchOptions> = {}) =>
    hostawayFetchPlugin({ ...options, ...extra }).runJob(ctx);
  const offsets = (path: string) =>
    fake
      .requests(path)
      .filter((r) => r.path === path)
      .map((r) => r.query);

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

    expect(offsets('reservations')).toEqual(
      [
        { limit: '100', offset: '0' },
        { limit: '100', offset: '100' },
        { limit: '100', offset: '200' },
      ].map((q) => expect.objectContaining(q)),
    );
    expect(offsets('reservations').map((q) => Object.keys(q).sort())).toEqual([
      ['limit', 'offset'],
      ['limit', 'offset'],
      ['limit', 'offset'],
    ]);
    expect(fake.seen.some((r) => 'page' in r.query)).toBe(false);
    expect(
      fake
        .requests('conversations/7002/messages')
        .map((r) => r.query.offset)
        .sort(),
    ).toEqual(['0', '100']);

    const keys = recorded.published.map((e) => e.requestKey);
    expect(keys.sort()).toEqual(
      [
        'listings:-:0',
        'reservations:-:0',
        'reservations:-:100',
        'reservations:-:200',
        'conversations:-:0',
        'messages:7001:0',
        'messages:7002:0',
        'messages:7002:100',
        'messages:7003:0',
      ]
        .map((k) => `hostaway:${ACCOUNT}:${SCRAPE_DATE}:${k}`)
        .sort(),
    );
    // a thread's first page is published after its other pages
    const order = recorded.published.map((e) => e.requestKey);
    expect(
      order.indexOf(
        hostawayRequestKey(
          { jobId: 'job-1', accountId: ACCOUNT, scrapeDate: SCRAPE_DATE },
          'messages',
          '7002',
          0,
        ),
      ),
    ).toBeGreaterThan(order.indexOf(`hostaway:${ACCOUNT}:${SCRAPE_DATE}:messages:7002:100`));

    const listings = recorded.published.find((e) => e.operation === 'listings')!;
    expect(listings).toEqual({
      schemaVersion: 1,
      jobId: 'job-1',
      source: 'hostaway',
      accountId: ACCOUNT,
      operation: 'listings',
      resourceId: null,
      requestKey: `hostaway:${ACCOUNT}:${SCRAPE_DATE}:listings:-:0`,
      variables: { limit: 100, offset: 0 },
      window: null,
      scrapeDate: SCRAPE_DATE,
      fetchedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      httpStatus: 200,
      body: { status: 'success', result: DATA.listings, count: 2, limit: 100, offset: 0 },
    });
    const thread = recorded.published.find((e) => e.requestKey.endsWith('messages:7002:100'))!;
    expect([thread.operation, thread.resourceId, thread.variables]).toEqual([
      'messages',
      '7002',
      { limit: 100, offset: 100 },
    ]);

    expect(recorded.planned).toEqual({ listings: 1, reservations: 3, conversations: 1, messages: 4 });
    expect(recorded.fetched).toEqual({ listings: 1, reservations: 3, conversations: 1, messages: 4 });
    expect(recorded.failed).toEqual([]);
    expect(upstream.mints).toBe(0);
    expect(recorded.notes).toEqual([]);
    const published = JSON.stringify(recorded.published);
    for (const secret of [SECRET, STORED]) expect(published).not.toContain(secret);
  });

  it('a 403 on the stored token → exactly one mint, persisted, and the request retried with it', async () => {
    upstream.validTokens.clear();
    const { ctx, recorded } = context();
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(upstream.mints).toBe(1);
    expect(fake.requests('accessTokens')).toHaveLength(1);
    expect(fake.requests('listings').map((r) => r.headers.authorization)).toEqual([
      `Bearer ${STORED}`,
      'Bearer minted-1',
    ]);
    expect(recorded.saved).toHaveLength(1);
    expect(recorded.saved[0].accessToken).toBe('minted-1');
    expect(
      recorded.saved[0].accessTokenExpiresAt!.getTime() - recorded.saved[0].accessTokenIssuedAt!.getTime(),
    ).toBe(3600_000);
    expect(recorded.published).toHaveLength(9);
    expect(JSON.stringify(recorded.published)).not.toContain('minted-1');
  });

  it('a 403 after a fresh mint → auth_failed, no loop, nothing else requested', async () => {
    upstream.override = (req) =>
      req.path === 'accessTokens'
        ? undefined
        : { status: 403, body: { status: 'fail', message: 'Forbidden' } };
    const { ctx, recorded } = context();
    const outcome = await run(ctx);
    expect(outcome.status).toBe('auth_failed');
    expect(outcome.status === 'auth_failed' && outcome.error).toBeInstanceOf(AccountAuthError);
    expect(outcome.status === 'auth_failed' && outcome.error.message).toBe(
      'Hostaway rejected the access token again right after a refresh',
    );
    expect(upstream.mints).toBe(1);
    expect(fake.seen.map((r) => r.path)).toEqual(['listings', 'accessTokens', 'listings']);
    expect(recorded.published).toEqual([]);
  });

  it('no stored token: mints first; a 403 with that fresh token → auth_failed without a second mint', async () => {
    upstream.override = (req) =>
      req.path === 'accessTokens'
        ? undefined
        : { status: 403, body: { status: 'fail', message: 'Forbidden' } };
    const { ctx } = context({ credentials: { accessToken: null, accessTokenIssuedAt: null } });
    const outcome = await run(ctx);
    expect(outcome).toEqual({ status: 'auth_failed', error: expect.any(AccountAuthError) });
    expect(fake.seen.map((r) => r.path)).toEqual(['accessTokens', 'listings']);
  });

  it('a refused client secret → auth_failed with a message naming no secret', async () => {
    upstream.override = (req) =>
      req.path === 'accessTokens'
        ? { status: 400, body: { status: 'fail', message: `bad secret ${SECRET}` } }
        : undefined;
    const { ctx } = context({ credentials: { accessToken: null } });
    const outcome = await run(ctx);
    expect(outcome.status === 'auth_failed' && outcome.error.message).toBe(
      'Hostaway refused the client credentials (400): bad secret [redacted]',
    );
  });

  it('429 with Retry-After → waits as asked, then retries', async () => {
    let limited = false;
    upstream.override = (req) => {
      if (req.path !== 'listings' || limited) return undefined;
      limited = true;
      return {
        status: 429,
        headers: { 'retry-after': '1' },
        body: { status: 'fail', message: 'Too many requests' },
      };
    };
    const { ctx, recorded } = context();
    expect(await run(ctx)).toEqual({ status: 'completed' });
    const [first, second] = fake.requests('listings');
    expect(second.startedAt - first.startedAt).toBeGreaterThanOrEqual(1000);
    expect(recorded.retries).toEqual(['listings']);
    expect(recorded.requests.filter(([op]) => op === 'listings')).toEqual([
      ['listings', 'transient'],
      ['listings', 'ok'],
    ]);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    upstream.override = (req) =>
      req.path === 'reservations'
        ? {
            body: page(
              range(1000, (i) => ({ id: i })),
              req.query,
            ),
            delayMs: 40,
          }
        : undefined;
    const { ctx, recorded } = context();
    expect(await run(ctx, { concurrency: 2 })).toEqual({ status: 'completed' });
    expect(recorded.fetched.reservations).toBe(10);
    expect(fake.peakInFlight).toBe(2);
  });

  it('a resumed job skips stored message threads only; lists are fetched again', async () => {
    const key = (k: string) => `hostaway:${ACCOUNT}:${SCRAPE_DATE}:${k}`;
    const { ctx, recorded } = context({
      skip: [key('listings:-:0'), key('messages:7001:0'), key('messages:7002:0'), key('messages:7002:100')],
    });
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(fake.requests('listings')).toHaveLength(1);
    expect(fake.requests('conversations/7001')).toHaveLength(0);
    expect(fake.requests('conversations/7002')).toHaveLength(0);
    expect(fake.requests('conversations/7003')).toHaveLength(1);
    expect(recorded.published.map((e) => e.requestKey).filter((k) => k.includes(':messages:'))).toEqual([
      key('messages:7003:0'),
    ]);
    expect(recorded.fetched.messages).toBe(3);
  });

  it('a thread whose first page is missing is fetched again, skipping its stored later pages', async () => {
    const { ctx, recorded } = context({ skip: [`hostaway:${ACCOUNT}:${SCRAPE_DATE}:messages:7002:100`] });
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(fake.requests('conversations/7002').map((r) => r.query.offset)).toEqual(['0']);
    expect(recorded.fetched.messages).toBe(4);
  });

  it('incremental: listings and reservations narrowed by last_sync_at (UTC), the rest in full with a note', async () => {
    const { ctx, recorded } = context({
      mode: 'incremental',
      account: { last_sync_at: new Date('2025-07-02T03:04:05.678Z') },
    });
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(fake.requests('listings')[0].query.latestActivityStart).toBe('2025-07-02 03:04:05');
    expect(fake.requests('reservations').map((r) => r.query.latestActivityStart)).toEqual([
      '2025-07-02 03:04:05',
      '2025-07-02 03:04:05',
      '2025-07-02 03:04:05',
    ]);
    expect(
      fake.seen
        .filter((r) => r.path.startsWith('conversations'))
        .some((r) => 'latestActivityStart' in r.query),
    ).toBe(false);
    expect(recorded.notes).toEqual([INCREMENTAL_UNFILTERED_NOTE]);
    expect(recorded.published.find((e) => e.operation === 'reservations')!.variables).toEqual({
      latestActivityStart: '2025-07-02 03:04:05',
      limit: 100,
      offset: 0,
    });
  });

  it('incremental without last_sync_at runs in full and says so', async () => {
    const { ctx, recorded } = context({ mode: 'incremental' });
    expect(await run(ctx)).toEqual({ status: 'completed' });
    expect(fake.seen.some((r) => 'latestActivityStart' in r.query)).toBe(false);
    expect(recorded.notes).toEqual([INCREMENTAL_WITHOUT_WATERMARK_NOTE]);
  });

  it('a list page failing after its retries fails the job', async () => {
    upstream.override = (req) =>
      req.path === 'reservations' && req.query.offset === '100' ? { status: 500, body: {} } : undefined;
    const { ctx, recorded } = context();
    const outcome = await run(ctx);
    expect(outcome.status === 'failed' && outcome.error.message).toBe(
      'the reservations list could not be fetched: Hostaway answered reservations with HTTP 500',
    );
    expect(fake.requests('reservations').filter((r) => r.query.offset === '100')).toHaveLength(3);
    expect(recorded.retries).toEqual(['reservations', 'reservations']);
    expect(recorded.failed).toEqual([['reservations', 'Hostaway answered reservations with HTTP 500']]);
    expect(fake.requests('conversations')).toHaveLength(0);
  });

  it('one thread failing: the others are fetched, the job ends failed naming it', async () => {
    upstream.override = (req) =>
      req.path === 'conversations/7001/messages'
        ? { status: 400, body: { status: 'fail', message: 'bad' } }
        : undefined;
    const { ctx, recorded } = context();
    const outcome = await run(ctx);
    expect(outcome.status === 'failed' && outcome.error.message).toBe(
      'messages of 1 of 3 conversations could not be fetched; first: conversation 7001: Hostaway answered conversations/7001/messages with HTTP 400: bad',
    );
    expect(recorded.failed).toEqual([
      ['messages', 'Hostaway answered conversations/7001/messages with HTTP 400: bad'],
    ]);
    expect(
      recorded.published
        .filter((e) => e.operation === 'messages')
        .map((e) => e.resourceId)
        .sort(),
    ).toEqual(['7002', '7002', '7003']);
  });

  it('stops starting requests once aborted', async () => {
    const abort = new AbortController();
    upstream.override = (req) => {
      if (req.path === 'reservations') abort.abort();
      return undefined;
    };
    const { ctx, recorded } = context({ signal: abort.signal });
    expect(await run(ctx)).toEqual({ status: 'aborted' });
    expect(fake.requests('conversations')).toHaveLength(0);
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
