/**
 * Hostaway API simulator (shared reference §1–§4), mounted under /v1/: the HTTP server, the order
 * each request goes through, and the simulator object tests drive.
 *
 * Per request, in this order: count it (stats.ts) → attribute it to an account (Bearer token it was
 * issued, or client_id for token mints) → rate limits (rate-limit.ts: admitted arrivals in sliding
 * windows, every request per client IP, Bearer-valid ones also per account; token mints count per IP
 * only; 429 `{"status":"fail"}` + Retry-After in whole seconds until a slot frees) → route (routes.ts;
 * 404/405) → auth (tokens.ts: 403 for missing/unknown/expired/too-fresh tokens; token mints: 400
 * malformed, 401 bad client credentials) → injected faults (faults.ts) → the resource (resources.ts,
 * webhook-registrations.ts). Every reply, errors included, waits `latencyMs`; a request is in flight
 * from arrival until its reply is written.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { closeNow, listenOnLoopback, ReplyTimers } from '../loopback';
import { type ExpectedSyncOptions, HostawayAccounts, type HostawayDatasetCounts } from './accounts';
import type {
  HostawayListing,
  HostawayMessage,
  HostawayReservation,
  HostawaySimulatorAccount,
} from './dataset';
import { type HostawayFaults, HostawayFaultInjector } from './faults';
import { BadRequest } from './params';
import {
  failBody,
  HOSTAWAY_DEFAULT_MAX_PAGE_SIZE,
  HOSTAWAY_DEFAULT_TOKEN_TTL_MS,
  HOSTAWAY_DEFAULT_TOKEN_WARMUP_MS,
  type HostawayPathKind,
  type HostawayRateLimits,
} from './protocol';
import { HostawayRateLimiter, tooManyRequests } from './rate-limit';
import { readBody, type Reply, writeReply } from './reply';
import {
  getListing,
  getReservation,
  listConversations,
  listListings,
  listMessages,
  listReservations,
} from './resources';
import { routeOf } from './routes';
import {
  type HostawayRecordedRequest,
  type HostawaySimulatorStats,
  HostawayStatsRecorder,
  type RequestFlight,
} from './stats';
import { checkTokenRequest, forbiddenMessage, HostawayTokens } from './tokens';
import { type HostawayWebhookRegistration, WebhookRegistrations } from './webhook-registrations';
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
  /** keep every request received, for requests() (default false: a long run would hold them all) */
  recordRequests?: boolean;
}

export interface HostawaySimulator {
  /** http://127.0.0.1:<port>/v1/ */
  url: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  stats(): HostawaySimulatorStats;
  /** zero the counters and forget the recorded requests (peak concurrency restarts from the requests in flight) */
  resetStats(): void;
  /** copies of the requests received so far, in arrival order; empty unless `recordRequests` */
  requests(): HostawayRecordedRequest[];
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

export async function startHostawaySimulator(options: HostawaySimulatorOptions): Promise<HostawaySimulator> {
  const now = options.now ?? (() => new Date());
  const clock = options.clock ?? Date.now;
  const latencyMs = options.latencyMs ?? 0;
  const ttlMs = options.tokenTtlMs ?? HOSTAWAY_DEFAULT_TOKEN_TTL_MS;
  const maxPageSize = options.maxPageSize ?? HOSTAWAY_DEFAULT_MAX_PAGE_SIZE;
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1)
    throw new RangeError('maxPageSize must be an integer ≥ 1');
  const rateLimiter = new HostawayRateLimiter(options.rateLimits);
  const faults = new HostawayFaultInjector(options.faults);
  const accounts = new HostawayAccounts(options.accounts, now().getTime(), now);
  const tokens = new HostawayTokens(clock, options.tokenWarmupMs ?? HOSTAWAY_DEFAULT_TOKEN_WARMUP_MS, ttlMs);
  const webhookRegistrations = new WebhookRegistrations(now);
  const recorder = new HostawayStatsRecorder(accounts.ids(), options.recordRequests ?? false);
  const timers = new ReplyTimers();

  const server = createServer((req, res) => {
    const receivedAt = clock();
    const flight = recorder.arrive();
    // Leaves flight when its reply is handed over (synchronously, so a client's next request
    // never overlaps it) or, for held/aborted requests, when the socket closes.
    res.once('close', flight.land);
    const reply = (answer: Reply) => {
      flight.land();
      if (writeReply(res, answer)) recorder.replied(answer.status);
    };
    handle(req, flight, receivedAt)
      .then(async (answer) => {
        if (!answer) return;
        if (latencyMs > 0) await timers.delay(latencyMs);
        reply(answer);
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        reply({ status: 500, body: failBody(`simulator error: ${message}`) });
      });
  });

  /** null = hold the request (hang fault). */
  async function handle(
    req: IncomingMessage,
    flight: RequestFlight,
    receivedAt: number,
  ): Promise<Reply | null> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://simulator');
    recorder.received({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body,
      receivedAt,
    });
    const route = routeOf(req.method ?? 'GET', url.pathname);
    recorder.routed(route.kind);

    // Attribution: Bearer tokens name their account; token mints name it in client_id.
    const auth = tokens.authenticate(req.headers.authorization);
    let form: URLSearchParams | undefined;
    if (route.kind === 'accessTokens') {
      form = new URLSearchParams(body);
      const clientId = Number(form.get('client_id'));
      if (accounts.find(clientId)) flight.attribute(clientId, route.kind);
    } else if (auth.kind !== 'none' && auth.kind !== 'unknown') {
      flight.attribute(auth.accountId, route.kind);
    }

    const validAccount = auth.kind === 'valid' ? auth.accountId : undefined;
    const refusal = rateLimiter.admit(
      clock(),
      clientIp(req),
      route.kind === 'accessTokens' ? undefined : validAccount,
    );
    if (refusal) {
      recorder.rateLimited(validAccount);
      return tooManyRequests(refusal);
    }

    if (route.kind === 'other')
      return { status: 404, body: failBody(`Not found: ${req.method} ${url.pathname}`) };
    if (route.method !== req.method && !(route.kind === 'webhooks')) {
      return { status: 405, body: failBody(`Method ${req.method} not allowed`) };
    }

    if (route.kind === 'accessTokens') return mintToken(form ?? new URLSearchParams(), url);

    if (auth.kind !== 'valid') {
      recorder.forbidden(auth.kind === 'none' || auth.kind === 'unknown' ? undefined : auth.accountId);
      return { status: 403, body: failBody(forbiddenMessage(auth)) };
    }
    const held = await applyFaults(url, route.kind);
    if (held) return held.reply;

    const data = accounts.find(auth.accountId);
    if (!data) return { status: 403, body: failBody('Account is not active') };
    try {
      switch (route.kind) {
        case 'listings':
          return route.single ? getListing(data, route.id) : listListings(data, url, maxPageSize);
        case 'reservations':
          return route.single
            ? getReservation(data, route.id, url)
            : listReservations(data, url, maxPageSize);
        case 'conversations':
          return listConversations(data, url, maxPageSize);
        case 'messages':
          return listMessages(data, route.id ?? -1, url, maxPageSize);
        case 'webhooks': {
          const { reply, operation } = webhookRegistrations.handle(
            auth.accountId,
            req.method ?? 'GET',
            route.id,
            body,
          );
          if (operation) recorder.webhook(auth.accountId, operation);
          return reply;
        }
        default:
          return { status: 404, body: failBody('Not found') };
      }
    } catch (error) {
      if (error instanceof BadRequest) return { status: 400, body: failBody(error.message) };
      throw error;
    }
  }

  /** { reply: null } = hold forever; undefined = no fault. */
  async function applyFaults(url: URL, kind: HostawayPathKind): Promise<{ reply: Reply | null } | undefined> {
    const fault = faults.next(url.pathname, kind, url.searchParams);
    if (fault.kind === 'hang') {
      recorder.faultFired('hung');
      if (fault.hangMs === undefined) return { reply: null };
      await timers.delay(fault.hangMs);
      return undefined;
    }
    if (fault.kind === 'fail') {
      recorder.faultFired('failed');
      const headers: Record<string, string> | undefined =
        fault.status === 429 ? { 'Retry-After': '1' } : undefined;
      return { reply: { status: fault.status, body: failBody(fault.message), headers } };
    }
    return undefined;
  }

  /** POST /v1/accessTokens: faults apply to requests with good client credentials. */
  async function mintToken(form: URLSearchParams, url: URL): Promise<Reply | null> {
    const request = checkTokenRequest(form, (accountId) => accounts.find(accountId)?.account.clientSecret);
    if ('refused' in request) return request.refused;
    const held = await applyFaults(url, 'accessTokens');
    if (held) return held.reply;
    const token = tokens.issue(request.accountId);
    recorder.tokenIssued(request.accountId);
    return tokens.grant(token);
  }

  function clientIp(req: IncomingMessage): string {
    if (options.trustForwardedFor) {
      const forwarded = req.headers['x-forwarded-for'];
      const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
      if (first) return first;
    }
    return req.socket.remoteAddress ?? 'unknown';
  }

  const port = await listenOnLoopback(server, options.port);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    if (!stopping) {
      stopping = closeNow(server, timers);
      recorder.landAll();
    }
    return stopping;
  };

  return {
    url: `http://127.0.0.1:${port}/v1/`,
    origin: `http://127.0.0.1:${port}`,
    port,
    stats: () => recorder.snapshot(),
    resetStats: () => recorder.reset(),
    requests: () => recorder.requests(),
    expectedRequestsForFullSync: (accountId, pageSize, opts = {}) =>
      accounts.expectedRequestsForFullSync(accountId, pageSize, maxPageSize, opts),
    dataset: (accountId) => accounts.counts(accountId),
    listings: (accountId) => accounts.listings(accountId),
    reservations: (accountId) => accounts.reservations(accountId),
    conversations: (accountId) => accounts.conversations(accountId),
    messages: (accountId, conversationId, opts = {}) =>
      accounts.messages(accountId, conversationId, opts.includeScheduled ?? false),
    reservation: (accountId, id) => accounts.reservation(accountId, id),
    conversationForReservation: (accountId, reservationId) =>
      accounts.conversationForReservation(accountId, reservationId),
    updateReservation: (accountId, id, patch) => accounts.updateReservation(accountId, id, patch),
    cancelReservation: (accountId, id, cancelledBy = 'guest') =>
      accounts.cancelReservation(accountId, id, cancelledBy),
    addMessage: (accountId, conversationId, body, opts = {}) =>
      accounts.addMessage(accountId, conversationId, body, opts),
    expireTokens: (accountId) => tokens.revoke(accountId),
    issueToken: (accountId) => tokens.issue(accounts.get(accountId).account.accountId),
    addFaults: (more) => faults.add(more),
    clearFaults: () => faults.clear(),
    webhooks: (accountId) => structuredClone(webhookRegistrations.of(accountId)),
    deliverWebhook: async (accountId, body) => {
      const targets = webhookRegistrations.of(accountId).filter((w) => w.isEnabled === 1);
      const resolve = options.resolveWebhookUrl ?? ((url: string) => url);
      return Promise.all(targets.map((w) => sendHostawayWebhook(resolve(w.url), w, body)));
    },
    stop,
    close: stop,
  };
}
