export interface FaultSchedule {
  /** fire on every Nth API request (counted from the last setFaults); default 1 = every request */
  everyNth?: number;
  /** stop after firing this many times; default unlimited */
  times?: number;
}

export interface AirbnbFaults {
  /** always answer these accounts with the GraphQL auth error body (HTTP 200, reference §6) */
  authFailureAccounts?: string[];
  /** 429 with Retry-After (default 1 s) */
  rateLimit?: FaultSchedule & { retryAfterSeconds?: number };
  /** HTML error page with this status (default 503) */
  serverErrors?: FaultSchedule & { status?: 500 | 502 | 503 | 504 };
  /** hold the request without answering: forever (until close()) or, with hangMs, answer normally after it */
  timeouts?: FaultSchedule & { hangMs?: number };
  /**
   * Auth-cookie rotation (reference §2): every Nth successful GraphQL answer of an account (default 1)
   * sets a new `_aaj`; the replaced value keeps working for `oldValidForMs`, then is refused like an
   * expired session. Only accounts configured with a cookie check `_aaj`.
   */
  cookieRotation?: { everyNth?: number; oldValidForMs: number };
  /**
   * Akamai-style bot block: each edge cookie (`ak_bmsc`, issued by the preflight pages) is good for
   * `afterRequests` API requests; past that, or without one, API requests get a 403 "Access Denied"
   * page. `challengePreflight`: the preflight itself answers 403 with a challenge page.
   */
  edgeBlock?: { afterRequests: number; challengePreflight?: boolean };
  /** persisted queries no longer served: 200 with a PersistedQueryNotFound error and no `data` */
  staleHashes?: Array<'ListingsSectionQuery' | 'ChartQuery' | 'ListOfMetricsQuery'>;
}

export type FaultKind =
  'rateLimit' | 'serverError' | 'timeout' | 'cookieRotation' | 'edgeBlock' | 'staleHash';

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  | { kind: 'serverError'; status: 500 | 502 | 503 | 504 }
  | { kind: 'timeout'; hangMs: number | undefined };

interface ScheduledFault {
  decision: Exclude<FaultDecision, { kind: 'none' }>;
  everyNth: number;
  remaining: number;
}

/**
 * Counter-based fault injection: one counter over all API requests, each fault firing on
 * its every-Nth request until it has fired `times` times, so tests can assert recovery.
 * When several faults fall on the same request the first of timeout, server error, rate
 * limit wins, and only the winner uses up one of its `times`.
 */
export class FaultInjector {
  private scheduled: ScheduledFault[] = [];
  private authFailures = new Set<string>();
  private faults: AirbnbFaults = {};
  private requestCount = 0;

  constructor(faults: AirbnbFaults = {}) {
    this.set(faults);
  }

  /** Replace the faults and restart the request counter. */
  set(faults: AirbnbFaults): void {
    this.requestCount = 0;
    this.faults = faults;
    this.authFailures = new Set(faults.authFailureAccounts ?? []);
    if (faults.cookieRotation && !(faults.cookieRotation.oldValidForMs >= 0))
      throw new RangeError('cookieRotation.oldValidForMs must be ≥ 0');
    if (
      faults.edgeBlock &&
      !(Number.isInteger(faults.edgeBlock.afterRequests) && faults.edgeBlock.afterRequests >= 0)
    ) {
      throw new RangeError('edgeBlock.afterRequests must be an integer ≥ 0');
    }
    this.scheduled = [];
    const { timeouts, serverErrors, rateLimit } = faults;
    if (timeouts) this.schedule(timeouts, { kind: 'timeout', hangMs: timeouts.hangMs });
    if (serverErrors)
      this.schedule(serverErrors, { kind: 'serverError', status: serverErrors.status ?? 503 });
    if (rateLimit) {
      this.schedule(rateLimit, { kind: 'rateLimit', retryAfterSeconds: rateLimit.retryAfterSeconds ?? 1 });
    }
  }

  get cookieRotation(): AirbnbFaults['cookieRotation'] {
    return this.faults.cookieRotation;
  }

  get edgeBlock(): AirbnbFaults['edgeBlock'] {
    return this.faults.edgeBlock;
  }

  isStaleHash(operation: string): boolean {
    return (this.faults.staleHashes ?? []).some((op) => op === operation);
  }

  isAuthFailure(accountId: string): boolean {
    return this.authFailures.has(accountId);
  }

  /** Call once per API request. */
  next(): FaultDecision {
    this.requestCount++;
    for (const fault of this.scheduled) {
      if (fault.remaining > 0 && this.requestCount % fault.everyNth === 0) {
        fault.remaining--;
        return fault.decision;
      }
    }
    return { kind: 'none' };
  }

  private schedule(schedule: FaultSchedule, decision: ScheduledFault['decision']): void {
    const everyNth = schedule.everyNth ?? 1;
    const times = schedule.times ?? Number.POSITIVE_INFINITY;
    if (!Number.isInteger(everyNth) || everyNth < 1) throw new RangeError(`everyNth must be an integer ≥ 1`);
    if (!(times >= 0)) throw new RangeError(`times must be ≥ 0`);
    if (decision.kind === 'timeout' && decision.hangMs !== undefined && !(decision.hangMs >= 0)) {
      throw new RangeError(`hangMs must be ≥ 0`);
    }
    this.scheduled.push({ decision, everyNth, remaining: times });
  }
}
