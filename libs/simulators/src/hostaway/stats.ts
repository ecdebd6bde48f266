/**
 * What the simulator counts: requests by endpoint kind, status and account, refusals, tokens, faults,
 * webhook operations, and requests in flight (arrival → reply handed over, or socket closed); and,
 * when asked to, every request as it was received.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { HOSTAWAY_PATH_KINDS, type HostawayPathKind } from './protocol';

/** Successful webhook operations (2xx replies) by kind. */
export interface HostawayWebhookOperationCounts {
  list: number;
  get: number;
  create: number;
  update: number;
  delete: number;
}

export type HostawayWebhookOperation = keyof HostawayWebhookOperationCounts;

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

/** A request as the simulator received it (option recordRequests). */
export interface HostawayRecordedRequest {
  method: string;
  /** e.g. `/v1/conversations/7/messages` */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  /** the simulator's ms clock at arrival */
  receivedAt: number;
}

/** One request from its arrival until it lands (its reply is handed over, or its socket closes). */
export interface RequestFlight {
  /** count the request for its account; only the first call counts */
  attribute: (accountId: number, kind: HostawayPathKind) => void;
  /** leave flight; later calls do nothing */
  land: () => void;
}

export class HostawayStatsRecorder {
  private stats: HostawaySimulatorStats;
  private inFlight = 0;
  private readonly accountInFlight = new Map<number, number>();
  /** the land() of every request not yet landed */
  private readonly flying = new Set<() => void>();
  private recorded: HostawayRecordedRequest[] = [];

  constructor(
    /** every configured account, in configuration order */
    private readonly accountIds: readonly number[],
    private readonly recordRequests: boolean,
  ) {
    this.stats = this.empty();
  }

  arrive(): RequestFlight {
    const stats = this.stats;
    stats.requests++;
    this.inFlight++;
    stats.inFlight = this.inFlight;
    stats.peakConcurrency = Math.max(stats.peakConcurrency, this.inFlight);
    let attributed: number | undefined;
    let landed = false;
    const land = () => {
      if (landed) return;
      landed = true;
      this.flying.delete(land);
      this.inFlight--;
      this.stats.inFlight = this.inFlight;
      if (attributed !== undefined)
        this.accountInFlight.set(attributed, (this.accountInFlight.get(attributed) ?? 1) - 1);
    };
    this.flying.add(land);
    const attribute = (accountId: number, kind: HostawayPathKind) => {
      const accountStats = this.stats.byAccount[String(accountId)];
      if (!accountStats || attributed !== undefined) return;
      attributed = accountId;
      accountStats.requests++;
      accountStats.byKind[kind]++;
      const current = (this.accountInFlight.get(accountId) ?? 0) + 1;
      this.accountInFlight.set(accountId, current);
      accountStats.peakConcurrency = Math.max(accountStats.peakConcurrency, current);
    };
    return { attribute, land };
  }

  /** Keeps the request when recording requests. */
  received(request: HostawayRecordedRequest): void {
    if (this.recordRequests) this.recorded.push(request);
  }

  /** copies, in arrival order */
  requests(): HostawayRecordedRequest[] {
    return structuredClone(this.recorded);
  }

  /** Lands every request still in flight (the server is stopping). */
  landAll(): void {
    for (const land of [...this.flying]) land();
  }

  snapshot(): HostawaySimulatorStats {
    return structuredClone(this.stats);
  }

  /** Zero the counters and forget the recorded requests; peak concurrency restarts from the requests in flight. */
  reset(): void {
    this.stats = this.empty();
    this.recorded = [];
  }

  routed(kind: HostawayPathKind): void {
    this.stats.byKind[kind]++;
  }

  replied(status: number): void {
    this.stats.byStatus[String(status)] = (this.stats.byStatus[String(status)] ?? 0) + 1;
  }

  /** `accountId`: the account of the request's valid token, if any */
  rateLimited(accountId: number | undefined): void {
    this.stats.rateLimited++;
    if (accountId !== undefined) this.stats.byAccount[String(accountId)].rateLimited++;
  }

  /** `accountId`: the account of the request's expired or too-fresh token, if any */
  forbidden(accountId: number | undefined): void {
    this.stats.forbidden++;
    if (accountId !== undefined) this.stats.byAccount[String(accountId)].forbidden++;
  }

  tokenIssued(accountId: number): void {
    this.stats.tokensIssued++;
    this.stats.byAccount[String(accountId)].tokensIssued++;
  }

  faultFired(kind: 'failed' | 'hung'): void {
    this.stats.faults[kind]++;
  }

  webhook(accountId: number, operation: HostawayWebhookOperation): void {
    this.stats.webhooks[operation]++;
    this.stats.byAccount[String(accountId)].webhooks[operation]++;
  }

  private empty(): HostawaySimulatorStats {
    const byAccount: Record<string, HostawayAccountStats> = {};
    for (const id of this.accountIds) {
      byAccount[String(id)] = {
        requests: 0,
        byKind: zeroKinds(),
        rateLimited: 0,
        forbidden: 0,
        tokensIssued: 0,
        peakConcurrency: this.accountInFlight.get(id) ?? 0,
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
      inFlight: this.inFlight,
      peakConcurrency: this.inFlight,
    };
  }
}

function zeroKinds(): HostawayKindCounts {
  return Object.fromEntries(HOSTAWAY_PATH_KINDS.map((k) => [k, 0])) as HostawayKindCounts;
}

function zeroWebhookCounts(): HostawayWebhookOperationCounts {
  return { list: 0, get: 0, create: 0, update: 0, delete: 0 };
}
