/**
 * Hostaway API simulator (shared reference §1–§4), mounted under /v1/.
 *
 * Per request, in this order: count it (stats) → attribute it to an account (Bearer token it was
 * issued, or client_id for token mints) → rate limits (admitted arrivals in sliding windows: every
 * request per client IP, Bearer-valid ones also per account; token mints count per IP only;
 * 429 `{"status":"fail"}` + Retry-After in whole seconds until a slot frees) → route (404/405) →
 * auth (403 for missing/unknown/expired/too-fresh tokens; token mints: 400 malformed, 401 bad
 * client credentials) → injected faults → the resource. Every reply, errors included, waits
 * `latencyMs`; a request is in flight from arrival until its reply is written.
 *
 * Lists: `limit` (default 100, 1…maxPageSize) and `offset` (≥ 0) are validated (400), `page` is
 * ignored; listings id ASC, reservations updatedOn DESC, id DESC, conversations id ASC, messages
 * date DESC, id DESC (newest first; clients must sort, reference §3).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { SeededRandom } from '../airbnb/random';
import { closeNow, listenOnLoopback, ReplyTimers } from '../loopback';
import {
  type AccountData,
  addedMessageIdFor,
  type ConversationRecord,
  generateAccount,
  type HostawayListing,
  type HostawayMessage,
  type HostawayReservation,
  type HostawaySimulatorAccount,
  messageRecord,
} from './dataset';
import { type HostawayFaults, HostawayFaultInjector } from './faults';
import {
  failBody,
  formatHostawayDateTime,
  HOSTAWAY_DEFAULT_MAX_PAGE_SIZE,
  HOSTAWAY_DEFAULT_PAGE_SIZE,
  HOSTAWAY_DEFAULT_RATE_LIMITS,
  HOSTAWAY_DEFAULT_TOKEN_TTL_MS,
  HOSTAWAY_DEFAULT_TOKEN_WARMUP_MS,
  HOSTAWAY_PATH_KINDS,
  type HostawayPathKind,
  type HostawayRateLimits,
  parseHostawayDateTime,
  type RateLimitWindow,
} from './protocol';
import { retryAfterSeconds, SlidingWindow } from './rate-limit';
import { type HostawayWebhookResponse, sendHostawayWebhook } from './webhooks';

export interface HostawaySimulatorOptions {
  accounts: HostawaySimulatorAccount[];
  /** added before every reply, errors included (default 0) */
  latencyMs?: number;
  /** default 0 (random) */
  port?: number;
  /** a token used less than this after issue gets 403 (default 1000) */
  tokenWarmupMs?: number;
  /** token lifetime; `expires_in` = ⌊ttl/1000⌋ (default 24 months = 730 days) */
  tokenTtlMs?: number;
  /** default 15/10 s per IP and 20/10 s per account; `false` disables both, `perIp: false` one */
  rateLimits?: HostawayRateLimits | false;
  /** larger `limit` → 400 (default 500; upstream documents no maximum) */
  maxPageSize?: number;
  faults?: HostawayFaults;
  /** drives data timestamps: the generated history is anchored at now() at start; mutators stamp now() */
  now?: () => Date;
  /** ms clock for token warm-up/TTL and rate-limit windows (default Date.now) */
  clock?: () => number;
  /** take the client IP from the first X-Forwarded-For entry, to simulate several IPs (default false) */
  trustForwardedFor?: boolean;
  /**
   * Where deliverWebhook() sends a registered URL (the way DNS would): e.g. map the public
   * `https://staysync.example.com` to a test server's loopback origin. Default: the URL itself.
   */
  resolveWebhookUrl?: (registeredUrl: string) => string;
}

/** Successful webhook operations (2xx replies) by kind. */
export interface HostawayWebhookOperationCounts {
  list: number;
  get: number;
  create: number;
  update: number;
  delete: number;
}

export type HostawayKindCounts = Record<HostawayPathKind, number>;

export interface HostawayAccountStats {
  /** requests attributed to the account: Bearer tokens it was issued (valid or not), token mints by client_id */
  requests: number;
  byKind: HostawayKindCounts;
  rateLimited: number;
  forbidden: number;
  tokensIssued: number;
  /** most of the account's requests in flight at once (arrival → reply sent / socket closed) */
  peakConcurrency: number;
  /** the account's successful webhook operations */
  webhooks: HostawayWebhookOperationCounts;
}

export interface HostawaySimulatorStats {
  /** every HTTP request received */
  requests: number;
  byKind: HostawayKindCounts;
  /** replies sent, by HTTP status (a request held forever has none) */
  byStatus: Record<string, number>;
  /** keyed by String(accountId); every configured account is present */
  byAccount: Record<string, HostawayAccountStats>;
  /** 429 replies from the rate limiter (not failNext 429s) */
  rateLimited: number;
  /** 403 replies (missing/unknown/expired/too-fresh token) */
  forbidden: number;
  tokensIssued: number;
  /** injected faults that fired */
  faults: { failed: number; hung: number };
  /** successful webhook operations (create = a registration) */
  webhooks: HostawayWebhookOperationCounts;
  /** requests in flight right now */
  inFlight: number;
  /** most requests in flight at once, latency included */
  peakConcurrency: number;
}

export interface ExpectedSyncOptions {
  /** the client passes includeScheduledMessages=1 (default false) */
  includeScheduledMessages?: boolean;
}

export interface HostawayDatasetCounts {
  listings: number;
  reservations: number;
  conversations: number;
  /** `sent` messages (what the messages endpoint returns by default) */
  messages: number;
  /** `awaiting` messages, returned only with includeScheduledMessages=1 */
  scheduledMessages: number;
}

export interface HostawayWebhookRegistration {
  id: number;
  accountId: number;
  isEnabled: 0 | 1;
  url: string;
  login: string | null;
  password: string | null;
  alertingEmailAddress: string | null;
  insertedOn: string;
  updatedOn: string;
}

export interface HostawaySimulator {
  /** http://127.0.0.1:<port>/v1/ */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  stats(): HostawaySimulatorStats;
  /** zero the counters (peak concurrency restarts from the requests in flight) */
  resetStats(): void;
  /**
   * GETs a correct full sync makes right now (token mint excluded): listings, reservations and
   * conversations paged with `limit=pageSize`, then one paged messages list per conversation,
   * each list fetched page by page until offset + limit ≥ count (at least one page, even when empty).
   */
  expectedRequestsForFullSync(accountId: number, pageSize: number, options?: ExpectedSyncOptions): number;

  /** counts of the account's current data */
  dataset(accountId: number): HostawayDatasetCounts;
  /** copies, in API order (listings id ASC) */
  listings(accountId: number): HostawayListing[];
  /** copies, in API order (updatedOn DESC, id DESC) */
  reservations(accountId: number): HostawayReservation[];
  /** copies of the API view, id ASC */
  conversations(accountId: number): Array<Record<string, unknown>>;
  /** copies, in API order (date DESC, id DESC) */
  messages(
    accountId: number,
    conversationId: number,
    options?: { includeScheduled?: boolean },
  ): HostawayMessage[];
  /** a copy, or undefined when the account has no such reservation */
  reservation(accountId: number, id: number): HostawayReservation | undefined;
  conversationForReservation(accountId: number, reservationId: number): { id: number } | undefined;

  /** merge `patch` (id is kept) and stamp updatedOn = latestActivityOn = now(); returns a copy */
  updateReservation(
    accountId: number,
    id: number,
    patch: Partial<Omit<HostawayReservation, 'id'>>,
  ): HostawayReservation;
  /** status `cancelled`, cancellationDate = now(), cancelledBy; stamps like updateReservation */
  cancelReservation(accountId: number, id: number, cancelledBy?: 'host' | 'guest'): HostawayReservation;
  /** append a message dated now() (default incoming, `sent`); bumps the reservation's latestActivityOn */
  addMessage(
    accountId: number,
    conversationId: number,
    body: string,
    options?: { isIncoming?: 0 | 1; status?: 'sent' | 'awaiting' },
  ): HostawayMessage;
  /** every token issued so far (to the account, or to all) now gets 403 */
  expireTokens(accountId?: number): void;
  /** mint a token directly (no HTTP request, not counted); it still has to warm up */
  issueToken(accountId: number): string;

  /** append failNext/hangNext faults */
  addFaults(faults: HostawayFaults): void;
  clearFaults(): void;

  /** webhooks registered through POST /v1/webhooks/unifiedWebhooks */
  webhooks(accountId: number): HostawayWebhookRegistration[];
  /** POST `body` to each enabled registered webhook of the account (with its Basic auth), at resolveWebhookUrl(url) */
  deliverWebhook(accountId: number, body: unknown): Promise<HostawayWebhookResponse[]>;

  /** stop listening and destroy every open socket, including held ones */
  stop(): Promise<void>;
  /** alias of stop() (the Airbnb simulator's name) */
  close(): Promise<void>;
}

interface TokenRecord {
  accountId: number;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

type AuthState =
  { kind: 'none' } | { kind: 'unknown' } | { kind: 'expired' | 'tooFresh' | 'valid'; accountId: number };

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Route {
  kind: HostawayPathKind;
  method: string;
  /** numeric path id: conversation for messages, resource for single GETs */
  id?: number;
  /** listing/reservation by id */
  single?: boolean;
  /** webhook collection vs item */
  item?: boolean;
}

class BadRequest extends Error {}

const JSON_HEADERS = { 'Content-Type': 'application/json' };

export async function startHostawaySimulator(options: HostawaySimulatorOptions): Promise<HostawaySimulator> {
  const now = options.now ?? (() => new Date());
  const clock = options.clock ?? Date.now;
  const latencyMs = options.latencyMs ?? 0;
  const warmupMs = options.tokenWarmupMs ?? HOSTAWAY_DEFAULT_TOKEN_WARMUP_MS;
  const ttlMs = options.tokenTtlMs ?? HOSTAWAY_DEFAULT_TOKEN_TTL_MS;
  const maxPageSize = options.maxPageSize ?? HOSTAWAY_DEFAULT_MAX_PAGE_SIZE;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1)
    throw new RangeError('maxPageSize must be an integer ≥ 1');
  const limits = resolveRateLimits(options.rateLimits);
  const faults = new HostawayFaultInjector(options.faults);

  const anchor = now().getTime();
  const accounts = new Map<number, AccountData>();
  for (const config of options.accounts) {
    if (accounts.has(config.accountId)) throw new Error(`account ${config.accountId} is configured twice`);
    accounts.set(config.accountId, generateAccount(config, anchor));
  }

  const tokens = new Map<string, TokenRecord>();
  let tokenSerial = 0;
  const ipWindows = new Map<string, SlidingWindow>();
  const accountWindows = new Map<number, SlidingWindow>();
  const webhookRegistry = new Map<number, HostawayWebhookRegistration>();
  let webhookSerial = 0;
  const timers = new ReplyTimers();
  let inFlight = 0;
  /** requests not yet answered: stop() lands them */
  const flying = new Set<() => void>();
  const accountInFlight = new Map<number, number>();
  let stats = emptyStats();

  const server = createServer((req, res) => {
    stats.requests++;
    inFlight++;
    stats.inFlight = inFlight;
    stats.peakConcurrency = Math.max(stats.peakConcurrency, inFlight);
    let attributed: number | undefined;
    let done = false;
    // Leaves flight when its reply is handed over (synchronously, so a client's next request
    // never overlaps it) or, for held/aborted requests, when the socket closes.
    const land = () => {
      if (done) return;
      done = true;
      flying.delete(land);
      inFlight--;
      stats.inFlight = inFlight;
      if (attributed !== undefined)
        accountInFlight.set(attributed, (accountInFlight.get(attributed) ?? 1) - 1);
    };
    flying.add(land);
    res.once('close', land);
    const attribute = (accountId: number, kind: HostawayPathKind) => {
      const accountStats = stats.byAccount[String(accountId)];
      if (!accountStats || attributed !== undefined) return;
      attributed = accountId;
      accountStats.requests++;
      accountStats.byKind[kind]++;
      const current = (accountInFlight.get(accountId) ?? 0) + 1;
      accountInFlight.set(accountId, current);
      accountStats.peakConcurrency = Math.max(accountStats.peakConcurrency, current);
    };
    handle(req, attribute)
      .then(async (reply) => {
        if (!reply) return;
        if (latencyMs > 0) await timers.delay(latencyMs);
        land();
        send(res, reply);
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        land();
        send(res, { status: 500, body: failBody(`simulator error: ${message}`) });
      });
  });

  /** null = hold the request (hang fault). */
  async function handle(
    req: IncomingMessage,
    attribute: (accountId: number, kind: HostawayPathKind) => void,
  ): Promise<Reply | null> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    const route = routeOf(req.method ?? 'GET', url.pathname);
    stats.byKind[route.kind]++;

    // Attribution: Bearer tokens name their account; token mints name it in client_id.
    const auth = authenticate(req.headers.authorization);
    let form: URLSearchParams | undefined;
    if (route.kind === 'accessTokens') {
      form = new URLSearchParams(body);
      const clientId = Number(form.get('client_id'));
      if (accounts.has(clientId)) attribute(clientId, route.kind);
    } else if (auth.kind !== 'none' && auth.kind !== 'unknown') {
      attribute(auth.accountId, route.kind);
    }

    // Rate limits count admitted arrivals: every request per IP, authenticated ones per account too.
    const t = clock();
    const ip = clientIp(req);
    const ipWindow = limits.perIp ? windowFor(ipWindows, ip, limits.perIp) : undefined;
    const accountWindow =
      limits.perAccount && route.kind !== 'accessTokens' && auth.kind === 'valid'
        ? windowFor(accountWindows, auth.accountId, limits.perAccount)
        : undefined;
    const ipWait = ipWindow?.waitMs(t) ?? 0;
    const accountWait = accountWindow?.waitMs(t) ?? 0;
    if (ipWait > 0 || accountWait > 0) {
      stats.rateLimited++;
      if (auth.kind === 'valid') stats.byAccount[String(auth.accountId)].rateLimited++;
      const scope =
        accountWait > 0 && auth.kind === 'valid'
          ? `${limits.perAccount ? describe(limits.perAccount) : ''} per account ${auth.accountId}`
          : `${limits.perIp ? describe(limits.perIp) : ''} per IP`;
      return {
        status: 429,
        body: failBody(`Too Many Requests: rate limit of ${scope} exceeded`),
        headers: { 'Retry-After': String(retryAfterSeconds(Math.max(ipWait, accountWait))) },
      };
    }
    ipWindow?.record(t);
    accountWindow?.record(t);

    if (route.kind === 'other')
      return { status: 404, body: failBody(`Not found: ${req.method} ${url.pathname}`) };
    if (route.method !== req.method && !(route.kind === 'webhooks')) {
      return { status: 405, body: failBody(`Method ${req.method} not allowed`) };
    }

    if (route.kind === 'accessTokens') return mintToken(form ?? new URLSearchParams(), url.pathname);

    if (auth.kind !== 'valid') {
      stats.forbidden++;
      if (auth.kind !== 'none' && auth.kind !== 'unknown')
        stats.byAccount[String(auth.accountId)].forbidden++;
      return { status: 403, body: failBody(forbiddenMessage(auth)) };
    }
    const held = await applyFaults(url.pathname, route.kind);
    if (held) return held.reply;

    const data = accounts.get(auth.accountId);
    if (!data) return { status: 403, body: failBody('Account is not active') };
    try {
      switch (route.kind) {
        case 'listings':
          return route.single
            ? single(data.listings.find((l) => l.id === route.id))
            : listListings(data, url);
        case 'reservations':
          return route.single
            ? single(
                route.id === undefined ? undefined : data.reservationsById.get(route.id),
                url.searchParams.get('includeResources') === '1',
              )
            : listReservations(data, url);
        case 'conversations':
          return listConversations(data, url);
        case 'messages':
          return listMessages(data, route.id ?? -1, url);
        case 'webhooks':
          return handleWebhooks(data, req.method ?? 'GET', route, body);
        default:
          return { status: 404, body: failBody('Not found') };
      }
    } catch (error) {
      if (error instanceof BadRequest) return { status: 400, body: failBody(error.message) };
      throw error;
    }
  }

  /** { reply: null } = hold forever; undefined = no fault. */
  async function applyFaults(
    pathname: string,
    kind: HostawayPathKind,
  ): Promise<{ reply: Reply | null } | undefined> {
    const fault = faults.next(pathname, kind);
    if (fault.kind === 'hang') {
      stats.faults.hung++;
      if (fault.hangMs === undefined) return { reply: null };
      await timers.delay(fault.hangMs);
      return undefined;
    }
    if (fault.kind === 'fail') {
      stats.faults.failed++;
      const headers: Record<string, string> | undefined =
        fault.status === 429 ? { 'Retry-After': '1' } : undefined;
      return { reply: { status: fault.status, body: failBody(fault.message), headers } };
    }
    return undefined;
  }

  /**
   * POST /v1/accessTokens. Malformed requests → 400. Unknown client_id or wrong secret → 401
   * (the OAuth2 `invalid_client` status of Hostaway's token server; the reference only documents
   * 403 for bad *bearer* tokens on the resource endpoints), body `{"status":"fail","message":…}`.
   */
  async function mintToken(form: URLSearchParams, pathname: string): Promise<Reply | null> {
    const grantType = form.get('grant_type');
    if (grantType !== 'client_credentials') {
      return {
        status: 400,
        body: failBody('The authorization grant type is not supported (use client_credentials)'),
      };
    }
    const clientId = form.get('client_id') ?? '';
    const secret = form.get('client_secret') ?? '';
    if (clientId === '' || secret === '') {
      return { status: 400, body: failBody('client_id and client_secret are required') };
    }
    const scope = form.get('scope');
    if (scope !== null && scope !== 'general')
      return { status: 400, body: failBody(`Invalid scope: ${scope}`) };
    const account = /^\d+$/.test(clientId) ? accounts.get(Number(clientId)) : undefined;
    if (!account || account.account.clientSecret !== secret) {
      return { status: 401, body: failBody('Client authentication failed') };
    }
    const held = await applyFaults(pathname, 'accessTokens');
    if (held) return held.reply;
    const token = issue(account.account.accountId);
    stats.tokensIssued++;
    stats.byAccount[String(account.account.accountId)].tokensIssued++;
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: Math.floor(ttlMs / 1000), access_token: token },
    };
  }

  function issue(accountId: number): string {
    const serial = ++tokenSerial;
    const rnd = new SeededRandom(`hostaway:token:${accountId}:${serial}`);
    const issuedAt = clock();
    const header = b64url({ typ: 'JWT', alg: 'RS256' });
    const payload = b64url({
      aud: String(accountId),
      jti: rnd.hex(80),
      iat: Math.floor(issuedAt / 1000),
      nbf: Math.floor(issuedAt / 1000),
      exp: Math.floor((issuedAt + ttlMs) / 1000),
      sub: '',
      scopes: ['general'],
      secretId: serial,
    });
    const token = `${header}.${payload}.${rnd.bytes(64).toString('base64url')}`;
    tokens.set(token, { accountId, issuedAt, expiresAt: issuedAt + ttlMs, revoked: false });
    return token;
  }

  function authenticate(header: string | undefined): AuthState {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return { kind: 'none' };
    const record = tokens.get(match[1]);
    if (!record) return { kind: 'unknown' };
    const t = clock();
    if (record.revoked || t >= record.expiresAt) return { kind: 'expired', accountId: record.accountId };
    if (t - record.issuedAt < warmupMs) return { kind: 'tooFresh', accountId: record.accountId };
    return { kind: 'valid', accountId: record.accountId };
  }

  // ------------------------------------------------------------ resources

  function listListings(data: AccountData, url: URL): Reply {
    const page = paging(url);
    const range = activityRange(url);
    const rows = data.listings.filter((l) => inRange(l.latestActivityOn, range));
    return envelope(rows, page, false);
  }

  function listReservations(data: AccountData, url: URL): Reply {
    const page = paging(url);
    const range = activityRange(url);
    const q = url.searchParams;
    const listingId = optionalInt(q, 'listingId');
    const channelId = optionalInt(q, 'channelId');
    const arrival = dateRange(q, 'arrivalStartDate', 'arrivalEndDate');
    const departure = dateRange(q, 'departureStartDate', 'departureEndDate');
    const includeResources = q.get('includeResources') === '1';
    const rows = sortedReservations(data).filter(
      (r) =>
        inRange(r.latestActivityOn, range) &&
        (listingId === undefined || r.listingMapId === listingId) &&
        (channelId === undefined || r.channelId === channelId) &&
        inDateRange(r.arrivalDate, arrival) &&
        inDateRange(r.departureDate, departure),
    );
    return envelope(rows, page, false, (r) => reservationView(r, includeResources));
  }

  function listConversations(data: AccountData, url: URL): Reply {
    const page = paging(url);
    const reservationId = optionalInt(url.searchParams, 'reservationId');
    const rows = data.conversations.filter(
      (c) => reservationId === undefined || c.reservationId === reservationId,
    );
    return envelope(rows, page, true, (c) => conversationView(data, c));
  }

  function listMessages(data: AccountData, conversationId: number, url: URL): Reply {
    const page = paging(url);
    if (!data.conversationsById.has(conversationId)) {
      return { status: 404, body: failBody(`Conversation ${conversationId} not found`) };
    }
    const includeScheduled = url.searchParams.get('includeScheduledMessages') === '1';
    return envelope(threadView(data, conversationId, includeScheduled), page, true);
  }

  /**
   * Unified webhooks (reference §4), scoped to the token's account: GET (list), POST (register; `url`
   * required), GET/PUT/DELETE …/{id} (404 for another account's id). A URL must be https on a domain
   * name — no IP address, no port — else 400 `{"status":"fail"}`. Successful calls are counted.
   */
  function handleWebhooks(data: AccountData, method: string, route: Route, rawBody: string): Reply {
    const accountId = data.account.accountId;
    const own = [...webhookRegistry.values()].filter((w) => w.accountId === accountId);
    const counted = (operation: keyof HostawayWebhookOperationCounts, reply: Reply): Reply => {
      stats.webhooks[operation]++;
      stats.byAccount[String(accountId)].webhooks[operation]++;
      return reply;
    };
    if (!route.item) {
      if (method === 'GET')
        return counted('list', { status: 200, body: { status: 'success', result: structuredClone(own) } });
      if (method !== 'POST') return { status: 405, body: failBody(`Method ${method} not allowed`) };
      const input = parseJsonObject(rawBody);
      if (typeof input.url !== 'string') throw new BadRequest('url is required');
      checkWebhookUrl(input.url);
      const stamp = formatHostawayDateTime(now());
      const registration: HostawayWebhookRegistration = {
        id: ++webhookSerial,
        accountId,
        isEnabled: input.isEnabled === 0 ? 0 : 1,
        url: input.url,
        login: typeof input.login === 'string' ? input.login : null,
        password: typeof input.password === 'string' ? input.password : null,
        alertingEmailAddress:
          typeof input.alertingEmailAddress === 'string' ? input.alertingEmailAddress : null,
        insertedOn: stamp,
        updatedOn: stamp,
      };
      webhookRegistry.set(registration.id, registration);
      return counted('create', {
        status: 200,
        body: { status: 'success', result: structuredClone(registration) },
      });
    }
    const existing = route.id === undefined ? undefined : webhookRegistry.get(route.id);
    if (!existing || existing.accountId !== accountId) {
      return { status: 404, body: failBody(`Webhook ${route.id} not found`) };
    }
    if (method === 'GET')
      return counted('get', { status: 200, body: { status: 'success', result: structuredClone(existing) } });
    if (method === 'DELETE') {
      webhookRegistry.delete(existing.id);
      return counted('delete', { status: 200, body: { status: 'success', result: null } });
    }
    if (method !== 'PUT') return { status: 405, body: failBody(`Method ${method} not allowed`) };
    const input = parseJsonObject(rawBody);
    if (input.url !== undefined) {
      if (typeof input.url !== 'string') throw new BadRequest('url must be a string');
      checkWebhookUrl(input.url);
      existing.url = input.url;
    }
    if (input.isEnabled === 0 || input.isEnabled === 1) existing.isEnabled = input.isEnabled;
    for (const key of ['login', 'password', 'alertingEmailAddress'] as const) {
      if (key in input) existing[key] = typeof input[key] === 'string' ? input[key] : null;
    }
    existing.updatedOn = formatHostawayDateTime(now());
    return counted('update', { status: 200, body: { status: 'success', result: structuredClone(existing) } });
  }

  function paging(url: URL): { limit: number; offset: number } {
    // `page` is ignored, as upstream ignores it (reference §2, §7).
    const q = url.searchParams;
    const limit = optionalInt(q, 'limit') ?? HOSTAWAY_DEFAULT_PAGE_SIZE;
    const offset = optionalInt(q, 'offset') ?? 0;
    if (limit < 1) throw new BadRequest('limit must be ≥ 1');
    if (limit > maxPageSize) throw new BadRequest(`limit must be ≤ ${maxPageSize}`);
    return { limit, offset };
  }

  function envelope<T>(
    rows: T[],
    { limit, offset }: { limit: number; offset: number },
    withPages: boolean,
    view: (row: T) => unknown = (row) => structuredClone(row),
  ): Reply {
    const result = rows.slice(offset, offset + limit).map(view);
    const body: Record<string, unknown> = { status: 'success', result, count: rows.length, limit, offset };
    if (withPages) {
      body.page = Math.floor(offset / limit) + 1;
      body.totalPages = Math.ceil(rows.length / limit);
    }
    return { status: 200, body };
  }

  // ------------------------------------------------------------ helpers over the data

  function accountData(accountId: number): AccountData {
    const data = accounts.get(accountId);
    if (!data) throw new Error(`account ${accountId} is not configured in the Hostaway simulator`);
    return data;
  }

  function reservationOf(data: AccountData, id: number): HostawayReservation {
    const reservation = data.reservationsById.get(id);
    if (!reservation) throw new Error(`account ${data.account.accountId} has no reservation ${id}`);
    return reservation;
  }

  function visibleMessages(
    data: AccountData,
    conversationId: number,
    includeScheduled: boolean,
  ): HostawayMessage[] {
    return (data.messages.get(conversationId) ?? []).filter((m) => includeScheduled || m.status === 'sent');
  }

  function threadView(
    data: AccountData,
    conversationId: number,
    includeScheduled: boolean,
  ): HostawayMessage[] {
    return visibleMessages(data, conversationId, includeScheduled)
      .slice()
      .sort((a, b) => (a.date === b.date ? b.id - a.id : a.date < b.date ? 1 : -1))
      .map((m) => structuredClone(m));
  }

  function conversationView(data: AccountData, c: ConversationRecord): Record<string, unknown> {
    const reservation = data.reservationsById.get(c.reservationId);
    const sent = visibleMessages(data, c.id, false);
    const latest = (incoming: 0 | 1 | undefined) =>
      sent
        .filter((m) => incoming === undefined || m.isIncoming === incoming)
        .reduce<HostawayMessage | undefined>(
          (best, m) => (!best || m.date > best.date || (m.date === best.date && m.id > best.id) ? m : best),
          undefined,
        );
    const preview = latest(undefined);
    return {
      id: c.id,
      accountId: c.accountId,
      listingMapId: c.listingMapId,
      reservationId: c.reservationId,
      type: c.type,
      recipientName: reservation?.guestName ?? null,
      guestEmail: reservation?.guestEmail ?? null,
      hasUnreadMessages: sent.some((m) => m.isIncoming === 1 && m.isSeen === 0) ? 1 : 0,
      isArchived: 0,
      messageSentOn: latest(0)?.date ?? null,
      messageReceivedOn: latest(1)?.date ?? null,
      conversationMessages: preview ? [structuredClone(preview)] : [],
      Reservation: reservation ? reservationView(reservation, false) : null,
    };
  }

  function reservationView(r: HostawayReservation, includeResources: boolean): HostawayReservation {
    const copy = structuredClone(r);
    if (includeResources) {
      copy.customFieldValues = [
        {
          id: r.id * 10 + 1,
          customFieldId: 101,
          customField: { id: 101, name: 'Parking spot' },
          value: 'P1',
        },
      ];
      copy.reservationFees = [{ id: r.id * 10 + 1, name: 'cleaningFee', amount: 50, currency: r.currency }];
      copy.reservationUnit = [];
      copy.hostProxyEmail = `guest-${r.id}@guest.hostaway.example`;
    }
    return copy;
  }

  function sortedReservations(data: AccountData): HostawayReservation[] {
    return data.reservations
      .slice()
      .sort((a, b) => (a.updatedOn === b.updatedOn ? b.id - a.id : a.updatedOn < b.updatedOn ? 1 : -1));
  }

  function single(row: object | undefined, includeResources = false): Reply {
    if (!row) return { status: 404, body: failBody('Not found') };
    const result =
      'hostawayReservationId' in row
        ? reservationView(row as HostawayReservation, includeResources)
        : structuredClone(row);
    return { status: 200, body: { status: 'success', result } };
  }

  function send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed || res.writableEnded) return;
    stats.byStatus[String(reply.status)] = (stats.byStatus[String(reply.status)] ?? 0) + 1;
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...JSON_HEADERS,
      'Content-Length': Buffer.byteLength(text),
      ...reply.headers,
    });
    res.end(text);
  }

  function clientIp(req: IncomingMessage): string {
    if (options.trustForwardedFor) {
      const forwarded = req.headers['x-forwarded-for'];
      const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
      if (first) return first;
    }
    return req.socket.remoteAddress ?? 'unknown';
  }

  function emptyStats(): HostawaySimulatorStats {
    const byAccount: Record<string, HostawayAccountStats> = {};
    for (const id of accounts.keys()) {
      byAccount[String(id)] = {
        requests: 0,
        byKind: zeroKinds(),
        rateLimited: 0,
        forbidden: 0,
        tokensIssued: 0,
        peakConcurrency: accountInFlight.get(id) ?? 0,
        webhooks: zeroWebhookCounts(),
      };
    }
    return {
      requests: 0,
      byKind: zeroKinds(),
      byStatus: {},
      byAccount,
      rateLimited: 0,
      forbidden: 0,
      tokensIssued: 0,
      faults: { failed: 0, hung: 0 },
      webhooks: zeroWebhookCounts(),
      inFlight,
      peakConcurrency: inFlight,
    };
  }

  function stamp(reservation: HostawayReservation): void {
    const at = formatHostawayDateTime(now());
    reservation.updatedOn = at;
    reservation.latestActivityOn = at;
  }

  const port = await listenOnLoopback(server, options.port);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    if (!stopping) {
      stopping = closeNow(server, timers);
      for (const land of [...flying]) land();
    }
    return stopping;
  };

  return {
    url: `http://127.0.0.1:${port}/v1/`,
    origin: `http://127.0.0.1:${port}`,
    port,
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
    expectedRequestsForFullSync: (accountId, pageSize, opts = {}) => {
      const data = accountData(accountId);
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
        throw new RangeError(`pageSize must be an integer in 1…${maxPageSize}`);
      }
      const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
      let total =
        pages(data.listings.length) + pages(data.reservations.length) + pages(data.conversations.length);
      for (const c of data.conversations) {
        total += pages(visibleMessages(data, c.id, opts.includeScheduledMessages ?? false).length);
      }
      return total;
    },
    dataset: (accountId) => {
      const data = accountData(accountId);
      let messages = 0;
      let scheduledMessages = 0;
      for (const thread of data.messages.values()) {
        for (const m of thread) {
          if (m.status === 'sent') messages++;
          else scheduledMessages++;
        }
      }
      return {
        listings: data.listings.length,
        reservations: data.reservations.length,
        conversations: data.conversations.length,
        messages,
        scheduledMessages,
      };
    },
    listings: (accountId) => structuredClone(accountData(accountId).listings),
    reservations: (accountId) => structuredClone(sortedReservations(accountData(accountId))),
    conversations: (accountId) => {
      const data = accountData(accountId);
      return data.conversations.map((c) => conversationView(data, c));
    },
    messages: (accountId, conversationId, opts = {}) =>
      threadView(accountData(accountId), conversationId, opts.includeScheduled ?? false),
    reservation: (accountId, id) => {
      const r = accountData(accountId).reservationsById.get(id);
      return r ? structuredClone(r) : undefined;
    },
    conversationForReservation: (accountId, reservationId) => {
      const c = accountData(accountId).conversations.find((x) => x.reservationId === reservationId);
      return c ? { id: c.id } : undefined;
    },
    updateReservation: (accountId, id, patch) => {
      const data = accountData(accountId);
      const reservation = reservationOf(data, id);
      Object.assign(reservation, structuredClone(patch), { id });
      stamp(reservation);
      if (patch.listingMapId !== undefined) {
        // A booking moved listings: its conversation follows.
        const listing = data.listings.find((l) => l.id === patch.listingMapId);
        if (listing && patch.listingName === undefined) reservation.listingName = listing.name;
        for (const c of data.conversations) if (c.reservationId === id) c.listingMapId = patch.listingMapId;
      }
      return structuredClone(reservation);
    },
    cancelReservation: (accountId, id, cancelledBy = 'guest') => {
      const reservation = reservationOf(accountData(accountId), id);
      reservation.status = 'cancelled';
      reservation.cancellationDate = formatHostawayDateTime(now());
      reservation.cancelledBy = cancelledBy;
      stamp(reservation);
      return structuredClone(reservation);
    },
    addMessage: (accountId, conversationId, body, opts = {}) => {
      const data = accountData(accountId);
      const conversation = data.conversationsById.get(conversationId);
      if (!conversation) throw new Error(`account ${accountId} has no conversation ${conversationId}`);
      const reservation = reservationOf(data, conversation.reservationId);
      const isIncoming = opts.isIncoming ?? 1;
      const status = opts.status ?? 'sent';
      const dateMs = Math.floor(now().getTime() / 1000) * 1000;
      const message = messageRecord(conversation, reservation, {
        id: addedMessageIdFor(accountId, ++data.addedMessages),
        body,
        isIncoming,
        status,
        dateMs,
        sentToChannelDate: isIncoming === 0 && status === 'sent' ? formatHostawayDateTime(dateMs) : null,
      });
      data.messages.get(conversationId)?.push(message);
      if (status === 'sent') reservation.latestActivityOn = formatHostawayDateTime(now());
      return structuredClone(message);
    },
    expireTokens: (accountId) => {
      for (const record of tokens.values()) {
        if (accountId === undefined || record.accountId === accountId) record.revoked = true;
      }
    },
    issueToken: (accountId) => issue(accountData(accountId).account.accountId),
    addFaults: (more) => faults.add(more),
    clearFaults: () => faults.clear(),
    webhooks: (accountId) =>
      structuredClone([...webhookRegistry.values()].filter((w) => w.accountId === accountId)),
    deliverWebhook: async (accountId, body) => {
      const targets = [...webhookRegistry.values()].filter(
        (w) => w.accountId === accountId && w.isEnabled === 1,
      );
      const resolve = options.resolveWebhookUrl ?? ((url: string) => url);
      return Promise.all(targets.map((w) => sendHostawayWebhook(resolve(w.url), w, body)));
    },
    stop,
    close: stop,
  };
}

// ---------------------------------------------------------------- pure helpers

function resolveRateLimits(input: HostawayRateLimits | false | undefined): {
  perIp: RateLimitWindow | false;
  perAccount: RateLimitWindow | false;
} {
  if (input === false) return { perIp: false, perAccount: false };
  const perIp = input?.perIp === undefined ? HOSTAWAY_DEFAULT_RATE_LIMITS.perIp : input.perIp;
  const perAccount =
    input?.perAccount === undefined ? HOSTAWAY_DEFAULT_RATE_LIMITS.perAccount : input.perAccount;
  // Validate eagerly (the constructor throws on bad values).
  if (perIp) new SlidingWindow(perIp.limit, perIp.windowMs);
  if (perAccount) new SlidingWindow(perAccount.limit, perAccount.windowMs);
  return { perIp, perAccount };
}

function windowFor<K>(windows: Map<K, SlidingWindow>, key: K, limit: RateLimitWindow): SlidingWindow {
  let window = windows.get(key);
  if (!window) {
    window = new SlidingWindow(limit.limit, limit.windowMs);
    windows.set(key, window);
  }
  return window;
}

function describe({ limit, windowMs }: RateLimitWindow): string {
  return `${limit} requests per ${windowMs / 1000} s`;
}

function routeOf(method: string, pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/v1/accessTokens') return { kind: 'accessTokens', method: 'POST' };
  if (path === '/v1/listings') return { kind: 'listings', method: 'GET' };
  if (path === '/v1/reservations') return { kind: 'reservations', method: 'GET' };
  if (path === '/v1/conversations') return { kind: 'conversations', method: 'GET' };
  if (path === '/v1/webhooks/unifiedWebhooks') return { kind: 'webhooks', method };
  let m = /^\/v1\/(listings|reservations)\/(\d+)$/.exec(path);
  if (m) return { kind: m[1] as 'listings' | 'reservations', method: 'GET', id: Number(m[2]), single: true };
  m = /^\/v1\/conversations\/(\d+)\/messages$/.exec(path);
  if (m) return { kind: 'messages', method: 'GET', id: Number(m[1]) };
  m = /^\/v1\/webhooks\/unifiedWebhooks\/(\d+)$/.exec(path);
  if (m) return { kind: 'webhooks', method, id: Number(m[1]), item: true };
  return { kind: 'other', method };
}

function forbiddenMessage(auth: AuthState): string {
  switch (auth.kind) {
    case 'none':
      return 'Unauthorized: missing Authorization: Bearer <token>';
    case 'tooFresh':
      return 'Unauthorized: access token is not active yet';
    case 'expired':
      return 'Unauthorized: access token expired or revoked';
    default:
      return 'Unauthorized: invalid access token';
  }
}

/** A non-negative decimal integer parameter; absent/empty → undefined; anything else → 400. */
function optionalInt(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new BadRequest(`${name} must be a non-negative integer`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new BadRequest(`${name} is out of range`);
  return value;
}

interface Range {
  start?: string;
  end?: string;
}

/** latestActivityStart/End, inclusive, normalized to `YYYY-MM-DD HH:MM:SS` (a bare date end = 23:59:59). */
function activityRange(url: URL): Range {
  const range: Range = {};
  for (const [name, key, endOfDay] of [
    ['latestActivityStart', 'start', false],
    ['latestActivityEnd', 'end', true],
  ] as const) {
    const raw = url.searchParams.get(name);
    if (raw === null || raw === '') continue;
    const ms = parseHostawayDateTime(raw, endOfDay);
    if (ms === null) throw new BadRequest(`${name} must be YYYY-MM-DD HH:MM:SS`);
    range[key] = formatHostawayDateTime(ms);
  }
  return range;
}

function dateRange(q: URLSearchParams, startName: string, endName: string): Range {
  const range: Range = {};
  for (const [name, key] of [
    [startName, 'start'],
    [endName, 'end'],
  ] as const) {
    const raw = q.get(name);
    if (raw === null || raw === '') continue;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(raw) || parseHostawayDateTime(raw) === null) {
      throw new BadRequest(`${name} must be YYYY-MM-DD`);
    }
    range[key] = raw;
  }
  return range;
}

function inRange(value: string, { start, end }: Range): boolean {
  return (start === undefined || value >= start) && (end === undefined || value <= end);
}

const inDateRange = inRange;

function parseJsonObject(raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new BadRequest('Body must be JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BadRequest('Body must be an object');
  return value as Record<string, unknown>;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function zeroWebhookCounts(): HostawayWebhookOperationCounts {
  return { list: 0, get: 0, create: 0, update: 0, delete: 0 };
}

/** Reference §4: the receiver URL is https on a domain name, without an IP address or a port. */
function checkWebhookUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadRequest('url must be a valid URL');
  }
  if (url.protocol !== 'https:') throw new BadRequest('url must use https');
  if (url.port !== '') throw new BadRequest('url must not contain a port');
  const host = url.hostname;
  if (host.startsWith('[') || /^\d+(\.\d+){3}$/.test(host))
    throw new BadRequest('url must use a domain name, not an IP address');
  if (!host.includes('.')) throw new BadRequest('url must use a domain name');
}

function zeroKinds(): HostawayKindCounts {
  return Object.fromEntries(HOSTAWAY_PATH_KINDS.map((k) => [k, 0])) as HostawayKindCounts;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
