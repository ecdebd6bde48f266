import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { addDays, parseIsoDate, todayUtc } from '@staysync/core';
import { closeNow, listenOnLoopback, ReplyTimers } from '../loopback';
import { accountIdFromCookie, assertAccountId, parseCookieHeader } from './cookie';
import { generateListings, type SimListing } from './dataset';
import { type AirbnbFaults, type FaultKind, FaultInjector } from './faults';
import {
  AIRBNB_PERSISTED_QUERIES,
  type AirbnbOperation,
  isAirbnbOperation,
  MAX_METRIC_OFFSET_DAYS,
  MAX_RELATIVE_DS_END,
  type MetricGroup,
  type MetricRequest,
  RELATIVE_DS_OFFSET,
} from './protocol';
import { SeededRandom } from './random';
import {
  authErrorBody,
  badRequestBody,
  chartResponse,
  listingsResponse,
  listOfMetricsResponse,
  traceIdFor,
} from './responses';

export interface AirbnbSimulatorAccount {
  /** digits only, like upstream's id_str */
  accountId: string;
  listingCount: number;
  /** when given, the request must carry each of these cookies with exactly this value */
  cookie?: string;
}

export interface AirbnbSimulatorOptions {
  accounts: AirbnbSimulatorAccount[];
  /** added before every reply (default 0) */
  latencyMs?: number;
  faults?: AirbnbFaults;
  /** YYYY-MM-DD scrape day that relativeDs counts from (default: UTC today) */
  today?: () => string;
  /** default 0 (random) */
  port?: number;
  /** ms clock for rotated cookies' expiry (default Date.now), so tests can age them without sleeping */
  clock?: () => number;
}

export interface AirbnbSimulatorStats {
  /** every HTTP request received */
  requests: number;
  /** operationName from the URL; "preflight" for the /hosting/insights pages; "(unknown)" otherwise */
  byOperation: Record<string, number>;
  /** replies actually sent, by HTTP status; a request held forever by a timeout fault has none */
  byStatus: Record<string, number>;
  /** 4xx replies (bad route, hash, body, window, listing); not 429 */
  rejected: number;
  /** by the cookie's id_str, whether or not the account is known */
  byAccount: Record<string, number>;
  /** replies carrying the GraphQL auth error (unknown cookie or authFailureAccounts) */
  authFailures: number;
  /** injected faults that fired (cookieRotation: new `_aaj` values handed out) */
  byFault: Record<FaultKind, number>;
  /** every Chart/LoM request's window as this server resolved it against its own day (`today`) */
  windows: Array<{ operation: string; listingId: string; start: string; end: string; serverDay: string }>;
}

export interface AirbnbSimulator {
  /** http://127.0.0.1:<port> */
  url: string;
  stats(): AirbnbSimulatorStats;
  /** zero the stats (fault counters keep running; setFaults restarts them) */
  reset(): void;
  /** replace the faults and restart their request counter */
  setFaults(faults: AirbnbFaults): void;
  /** the account's listings in table order; throws for an account that was not configured */
  listingsFor(accountId: string): Array<{ id: string; internalName: string }>;
  /** stop listening and destroy every open socket, including held ones */
  close(): Promise<void>;
}

interface Account {
  accountId: string;
  cookie: string | undefined;
  listings: SimListing[];
  listingIds: Set<string>;
  /** the `_aaj` the account's session holds now (rotation), and replaced values with their expiry (ms) */
  aaj: { current: string | undefined; retired: Map<string, number>; answers: number; rotations: number };
}

interface Reply {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string | string[]>;
}

const API_ROUTE = /^\/api\/v3\/([^/]+)\/([^/]+)\/?$/;

export async function startAirbnbSimulator(options: AirbnbSimulatorOptions): Promise<AirbnbSimulator> {
  const accounts = buildAccounts(options.accounts);
  const faults = new FaultInjector(options.faults);
  const latencyMs = options.latencyMs ?? 0;
  const today = options.today ?? (() => todayUtc());
  const clock = options.clock ?? (() => Date.now());
  const timers = new ReplyTimers();
  /** edge cookies handed out by the preflight pages → API requests each has left (edgeBlock) */
  const edgeBudgets = new Map<string, number>();
  let stats = emptyStats();

  const server = createServer((req, res) => {
    stats.requests++;
    handle(req)
      .then((reply) => {
        if (reply) send(res, reply);
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        send(res, json(500, { errors: [{ message: `simulator error: ${message}` }], data: null }));
      });
  });

  async function handle(req: IncomingMessage): Promise<Reply | null> {
    const body = await readBody(req);
    const cookie = req.headers.cookie;
    const cookieAccount = accountIdFromCookie(cookie);
    if (cookieAccount) increment(stats.byAccount, cookieAccount);
    const { pathname } = new URL(req.url ?? '/', 'http://simulator');
    const api = API_ROUTE.exec(pathname);

    let reply: Reply | null;
    if (api) {
      const [, operationName, hash] = api;
      increment(stats.byOperation, isAirbnbOperation(operationName) ? operationName : '(unknown)');
      reply = await handleApi(req.method, operationName, hash, body, cookie);
    } else {
      reply = handlePage(req.method, pathname, cookie);
    }
    if (reply && latencyMs > 0) await timers.delay(latencyMs);
    return reply;
  }

  /** null = hold the request forever (timeout fault). */
  async function handleApi(
    method: string | undefined,
    operationName: string,
    hash: string,
    body: string,
    cookie: string | undefined,
  ): Promise<Reply | null> {
    if (method !== 'POST') {
      return json(405, badRequestBody(`${method} not allowed; use POST`, 'method_not_allowed'));
    }

    if (faults.edgeBlock && !spendEdgeBudget(cookie)) {
      stats.byFault.edgeBlock++;
      return html(403, 'Access Denied');
    }

    const fault = faults.next();
    if (fault.kind !== 'none') stats.byFault[fault.kind]++;
    switch (fault.kind) {
      case 'rateLimit':
        return html(429, 'Too Many Requests', { 'Retry-After': String(fault.retryAfterSeconds) });
      case 'serverError':
        return html(fault.status, `Error ${fault.status}`);
      case 'timeout':
        if (fault.hangMs === undefined) return null;
        await timers.delay(fault.hangMs);
        break;
    }

    let query: ParsedQuery;
    try {
      query = parseQuery(operationName, hash, body, today());
    } catch (error) {
      if (error instanceof RequestRejected) return json(400, badRequestBody(error.message, error.errorType));
      throw error;
    }

    if (faults.isStaleHash(query.operation)) {
      stats.byFault.staleHash++;
      return json(200, {
        errors: [{ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }],
      });
    }

    const account = authenticate(cookie);
    if (!account) {
      stats.authFailures++;
      return json(200, authErrorBody());
    }
    const traceId = traceIdFor(`${account.accountId}:${operationName}:${body}`);
    if (query.operation === 'ListingsSectionQuery') {
      return rotated(account, json(200, listingsResponse(account.listings, traceId)));
    }
    if (!account.listingIds.has(query.listingId)) {
      return json(
        400,
        badRequestBody(`listing ${query.listingId} not found for this host`, 'listing_not_found'),
      );
    }
    const serverDay = today();
    stats.windows.push({
      operation: query.operation,
      listingId: query.listingId,
      start: query.start,
      end: query.end,
      serverDay,
    });
    return rotated(
      account,
      query.operation === 'ChartQuery'
        ? json(200, chartResponse(account.accountId, query, serverDay, traceId))
        : json(200, listOfMetricsResponse(account.accountId, query, traceId)),
    );
  }

  /** cookieRotation: every Nth answer of the account sets a new `_aaj`; the old one expires later. */
  function rotated(account: Account, reply: Reply): Reply {
    const rotation = faults.cookieRotation;
    if (!rotation) return reply;
    account.aaj.answers++;
    if (account.aaj.answers % (rotation.everyNth ?? 1) !== 0) return reply;
    account.aaj.rotations++;
    const previous = account.aaj.current;
    if (previous !== undefined) account.aaj.retired.set(previous, clock() + rotation.oldValidForMs);
    const next = `${account.accountId}%7C${account.aaj.rotations}%7C${new SeededRandom(`aaj:${account.accountId}:${account.aaj.rotations}`).alnum(32)}`;
    account.aaj.current = next;
    stats.byFault.cookieRotation++;
    return {
      ...reply,
      headers: { ...reply.headers, 'Set-Cookie': [`_aaj=${next}; Path=/; Max-Age=31536000; HttpOnly`] },
    };
  }

  /** edgeBlock: whether the request's edge cookie (from a preflight) still has requests left; spends one. */
  function spendEdgeBudget(cookie: string | undefined): boolean {
    const edgeCookie = parseCookieHeader(cookie).get('ak_bmsc');
    const left = edgeCookie === undefined ? undefined : edgeBudgets.get(edgeCookie);
    if (edgeCookie === undefined || left === undefined || left <= 0) return false;
    edgeBudgets.set(edgeCookie, left - 1);
    return true;
  }

  /**
   * The preflight of reference §2: /hosting/insights redirects a live session to a /performance/
   * page and a dead one to /login; a host without listings stays on the page. Never faulted.
   */
  function handlePage(method: string | undefined, pathname: string, cookie: string | undefined): Reply {
    const isPage =
      pathname === '/hosting/insights' || pathname.startsWith('/performance/') || pathname === '/login';
    increment(stats.byOperation, isPage ? 'preflight' : '(unknown)');
    if (!isPage) return json(404, badRequestBody(`no route for ${pathname}`, 'not_found'));
    if (method !== 'GET') {
      return json(405, badRequestBody(`${method} not allowed; use GET`, 'method_not_allowed'));
    }

    if (faults.edgeBlock?.challengePreflight) {
      stats.byFault.edgeBlock++;
      return html(
        403,
        'Access Denied',
        undefined,
        '<script src="/_sec/cp_challenge/sec-if-cpt.js"></script>',
      );
    }
    const akamai = akamaiCookies(`${cookie ?? ''}:${stats.requests}:${clock()}`);
    const edgeCookie = /^ak_bmsc=([^;]*)/.exec(akamai[0])?.[1];
    if (edgeCookie !== undefined)
      edgeBudgets.set(edgeCookie, faults.edgeBlock?.afterRequests ?? Number.POSITIVE_INFINITY);
    if (pathname === '/login') return html(200, 'Log in or sign up', { 'Set-Cookie': akamai });
    const account = authenticate(cookie);
    if (!account) {
      stats.authFailures++;
      return redirect(`/login?redirect_url=${encodeURIComponent(pathname)}`, akamai);
    }
    if (pathname === '/hosting/insights') {
      if (account.listings.length === 0) {
        return html(200, "Insights: you don't have any listings yet", { 'Set-Cookie': akamai });
      }
      return redirect('/performance/conversion/p3_impressions', akamai);
    }
    return html(200, 'Performance', { 'Set-Cookie': akamai });
  }

  function authenticate(cookie: string | undefined): Account | null {
    const accountId = accountIdFromCookie(cookie);
    const account = accountId === null ? undefined : accounts.get(accountId);
    if (!account) return null;
    if (account.cookie !== undefined && !sessionCookieMatches(account, cookie)) return null;
    if (faults.isAuthFailure(account.accountId)) return null;
    return account;
  }

  /** The configured cookies, except that `_aaj` must be the current value or a replaced one not yet expired. */
  function sessionCookieMatches(account: Account, cookie: string | undefined): boolean {
    const sent = parseCookieHeader(cookie);
    for (const [name, value] of parseCookieHeader(account.cookie)) {
      if (name === '_aaj') continue;
      if (sent.get(name) !== value) return false;
    }
    if (account.aaj.current === undefined) return true;
    const aaj = sent.get('_aaj');
    if (aaj === undefined) return false;
    if (aaj === account.aaj.current) return true;
    const expiresAt = account.aaj.retired.get(aaj);
    return expiresAt !== undefined && clock() < expiresAt;
  }

  function send(res: ServerResponse, reply: Reply): void {
    if (res.destroyed || res.writableEnded) return;
    increment(stats.byStatus, String(reply.status));
    if (reply.status >= 400 && reply.status < 500 && reply.status !== 429) stats.rejected++;
    res.writeHead(reply.status, {
      'Content-Type': reply.contentType,
      'Content-Length': Buffer.byteLength(reply.body),
      ...reply.headers,
    });
    res.end(reply.body);
  }

  const port = await listenOnLoopback(server, options.port);

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => structuredClone(stats),
    reset: () => {
      stats = emptyStats();
    },
    setFaults: (next) => faults.set(next),
    listingsFor: (accountId) => {
      const account = accounts.get(accountId);
      if (!account) throw new Error(`account ${accountId} is not configured in the Airbnb simulator`);
      return account.listings.map(({ id, internalName }) => ({ id, internalName }));
    },
    close: () => {
      closing ??= closeNow(server, timers);
      return closing;
    },
  };
}

// ---------------------------------------------------------------- request validation

type ParsedQuery = { operation: 'ListingsSectionQuery' } | MetricRequest;

class RequestRejected extends Error {
  constructor(
    message: string,
    readonly errorType = 'bad_request',
  ) {
    super(message);
  }
}

function reject(message: string, errorType?: string): never {
  throw new RequestRejected(message, errorType);
}

/** Check a persisted-query call the way upstream would; resolve its window against the scrape day. */
function parseQuery(operationName: string, hash: string, rawBody: string, scrapeDay: string): ParsedQuery {
  parseIsoDate(scrapeDay);
  if (!isAirbnbOperation(operationName)) {
    reject(`PersistedQueryNotFound: unknown operation ${operationName}`, 'persisted_query_not_found');
  }
  const operation: AirbnbOperation = operationName;
  const query = AIRBNB_PERSISTED_QUERIES[operation];
  if (hash !== query.sha256Hash) {
    reject(`PersistedQueryNotFound: ${hash} is not the hash of ${operation}`, 'persisted_query_not_found');
  }

  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch {
    reject('request body is not valid JSON');
  }
  if (!isRecord(body)) reject('request body must be a JSON object');
  if (body.operationName !== operation) {
    reject(`operationName ${JSON.stringify(body.operationName)} does not match the URL's ${operation}`);
  }
  const persistedQuery = isRecord(body.extensions) ? body.extensions.persistedQuery : undefined;
  if (!isRecord(persistedQuery)) reject('extensions.persistedQuery is required');
  if (persistedQuery.version !== 1 || persistedQuery.sha256Hash !== hash) {
    reject('extensions.persistedQuery must be {version: 1, sha256Hash: <the URL hash>}');
  }
  const request = isRecord(body.variables) ? body.variables.request : undefined;
  if (!isRecord(request)) reject('variables.request is required');
  if (request.clientName !== query.clientName) {
    reject(`variables.request.clientName must be "${query.clientName}" for ${operation}`);
  }
  const args = request.arguments;
  if (!isRecord(args)) reject('variables.request.arguments is required');
  if (typeof args.metricType !== 'string' || args.metricType === '')
    reject('arguments.metricType is required');
  const groupByValues = args.groupByValues;
  if (!Array.isArray(groupByValues) || groupByValues.length !== 1 || typeof groupByValues[0] !== 'string') {
    reject('arguments.groupByValues must be an array of exactly one string');
  }
  const group: string = groupByValues[0];
  if (!query.groupByValues.includes(group)) {
    reject(`groupByValues "${group}" is not available for ${operation} (${query.groupByValues.join(', ')})`);
  }
  if (operation === 'ListingsSectionQuery') return { operation };

  if (operation === 'ChartQuery' && args.metricComparisonType !== 'MARKET') {
    reject('arguments.metricComparisonType must be "MARKET" (the only comparison simulated)');
  }
  const listingIds = isRecord(args.filters) ? args.filters.listingIds : undefined;
  if (
    !Array.isArray(listingIds) ||
    listingIds.length !== 1 ||
    typeof listingIds[0] !== 'string' ||
    !listingIds[0]
  ) {
    reject('arguments.filters.listingIds must hold exactly one listing id (string)');
  }
  const { relativeDsStart, relativeDsEnd } = args;
  if (!isInteger(relativeDsStart) || !isInteger(relativeDsEnd)) {
    reject('arguments.relativeDsStart and relativeDsEnd must be integers');
  }
  if (relativeDsStart > relativeDsEnd)
    reject(`relativeDsStart ${relativeDsStart} > relativeDsEnd ${relativeDsEnd}`);
  if (relativeDsEnd > MAX_RELATIVE_DS_END) {
    reject(
      `relativeDsEnd ${relativeDsEnd} is beyond the forward limit ${MAX_RELATIVE_DS_END} ` +
        `(scrape day + ${MAX_METRIC_OFFSET_DAYS} days, offset +${RELATIVE_DS_OFFSET})`,
    );
  }
  const windowDays = relativeDsEnd - relativeDsStart + 1;
  if (query.maxWindowDays !== null && windowDays > query.maxWindowDays) {
    reject(`window of ${windowDays} days exceeds ${query.maxWindowDays} days for ${operation}`);
  }
  return {
    operation,
    group: group as MetricGroup,
    listingId: listingIds[0],
    relativeDsStart,
    relativeDsEnd,
    start: addDays(scrapeDay, relativeDsStart - RELATIVE_DS_OFFSET),
    end: addDays(scrapeDay, relativeDsEnd - RELATIVE_DS_OFFSET),
  };
}

// ---------------------------------------------------------------- helpers

function buildAccounts(configured: readonly AirbnbSimulatorAccount[]): Map<string, Account> {
  const accounts = new Map<string, Account>();
  for (const { accountId, listingCount, cookie } of configured) {
    assertAccountId(accountId);
    if (accounts.has(accountId)) throw new Error(`account ${accountId} is configured twice`);
    const listings = generateListings(accountId, listingCount);
    const aaj = {
      current: cookie === undefined ? undefined : parseCookieHeader(cookie).get('_aaj'),
      retired: new Map<string, number>(),
      answers: 0,
      rotations: 0,
    };
    accounts.set(accountId, {
      accountId,
      cookie,
      listings,
      listingIds: new Set(listings.map((l) => l.id)),
      aaj,
    });
  }
  return accounts;
}

function emptyStats(): AirbnbSimulatorStats {
  return {
    requests: 0,
    byOperation: {},
    byStatus: {},
    rejected: 0,
    byAccount: {},
    authFailures: 0,
    byFault: { rateLimit: 0, serverError: 0, timeout: 0, cookieRotation: 0, edgeBlock: 0, staleHash: 0 },
    windows: [],
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(status: number, body: unknown): Reply {
  return { status, contentType: 'application/json', body: JSON.stringify(body) };
}

/** Edge errors (429, 5xx) are HTML pages, not JSON: clients must not parse them. */
function html(status: number, title: string, headers?: Reply['headers'], extra = ''): Reply {
  const body = `<!DOCTYPE html><html><head><title>${title}</title></head><body><h1>${title}</h1>${extra}</body></html>`;
  return { status, contentType: 'text/html; charset=utf-8', body, headers };
}

function redirect(location: string, setCookie: string[]): Reply {
  return {
    status: 302,
    contentType: 'text/html; charset=utf-8',
    body: '',
    headers: { Location: location, 'Set-Cookie': setCookie },
  };
}

function akamaiCookies(seed: string): string[] {
  const rnd = new SeededRandom(`akamai:${seed}`);
  return [
    `ak_bmsc=${rnd.hex(64).toUpperCase()}~000000000000000000000000000000~${rnd.alnum(40)}; Path=/; Max-Age=7200; HttpOnly`,
    `bm_sv=${rnd.hex(32).toUpperCase()}~${rnd.alnum(60)}; Path=/; Max-Age=7199`,
    `bm_sz=${rnd.hex(32).toUpperCase()}~YAAQ${rnd.alnum(48)}; Path=/; Max-Age=14399`,
  ];
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInteger(value: unknown): value is number {
  return Number.isInteger(value);
}
