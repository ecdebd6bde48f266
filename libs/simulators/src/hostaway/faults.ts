/**
 * Path-targeted fault injection, optionally narrowed by query parameters (e.g. one page of a list):
 * the next `times` matching requests fail with `status` (failNext) or are held (hangNext: forever
 * until stop(), or `hangMs` then answered normally).
 * Faults are consulted after rate limiting and authentication, so they only hit requests that
 * would otherwise have succeeded, and each consumes one of its `times`. Hangs win over failures
 * when both match; within a kind the earliest-added matching entry fires first.
 */

/** A string matches when it equals the request's pathname (`/v1/reservations`) or its kind (`reservations`). */
export type HostawayPathMatcher = RegExp | string;

/** Only requests whose query string has each of these parameters with exactly this value, e.g. `{ offset: '100' }`. */
export type HostawayQueryMatcher = Record<string, string>;

export interface HostawayFailFault {
  path: HostawayPathMatcher;
  query?: HostawayQueryMatcher;
  /** e.g. 500, 502, 503, 504 (429 adds Retry-After: 1) */
  status: number;
  /** default 1 */
  times?: number;
  /** default `Simulated <status>` */
  message?: string;
}

export interface HostawayHangFault {
  path: HostawayPathMatcher;
  query?: HostawayQueryMatcher;
  /** default 1 */
  times?: number;
  /** hold this long, then answer normally; omitted = hold until stop() (a client timeout) */
  hangMs?: number;
}

export interface HostawayFaults {
  failNext?: HostawayFailFault[];
  hangNext?: HostawayHangFault[];
}

export type HostawayFaultDecision =
  | { kind: 'none' }
  | { kind: 'fail'; status: number; message: string }
  | { kind: 'hang'; hangMs: number | undefined };

interface Armed<T> {
  fault: T;
  remaining: number;
}

export class HostawayFaultInjector {
  private fails: Armed<HostawayFailFault>[] = [];
  private hangs: Armed<HostawayHangFault>[] = [];

  constructor(faults: HostawayFaults = {}) {
    this.add(faults);
  }

  /** Append faults (existing ones keep their remaining counts). */
  add(faults: HostawayFaults): void {
    for (const fault of faults.failNext ?? []) {
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 599) {
        throw new RangeError(`failNext status must be an HTTP status, got ${fault.status}`);
      }
      this.fails.push({ fault, remaining: checkTimes(fault.times) });
    }
    for (const fault of faults.hangNext ?? []) {
      if (fault.hangMs !== undefined && !(fault.hangMs >= 0)) throw new RangeError('hangMs must be ≥ 0');
      this.hangs.push({ fault, remaining: checkTimes(fault.times) });
    }
  }

  clear(): void {
    this.fails = [];
    this.hangs = [];
  }

  /** Faults still armed (remaining > 0). */
  pending(): number {
    return [...this.fails, ...this.hangs].reduce((n, a) => n + (a.remaining > 0 ? 1 : 0), 0);
  }

  next(pathname: string, kind: string, query = new URLSearchParams()): HostawayFaultDecision {
    const hits = (armed: Armed<HostawayFailFault | HostawayHangFault>) =>
      armed.remaining > 0 &&
      matchesPath(armed.fault.path, pathname, kind) &&
      matchesQuery(armed.fault.query, query);
    const hang = this.hangs.find(hits);
    if (hang) {
      hang.remaining--;
      return { kind: 'hang', hangMs: hang.fault.hangMs };
    }
    const fail = this.fails.find(hits);
    if (fail) {
      fail.remaining--;
      const { status, message } = fail.fault;
      return { kind: 'fail', status, message: message ?? `Simulated ${status}` };
    }
    return { kind: 'none' };
  }
}

function matchesPath(matcher: HostawayPathMatcher, pathname: string, kind: string): boolean {
  if (typeof matcher === 'string') return matcher === pathname || matcher === kind;
  matcher.lastIndex = 0;
  return matcher.test(pathname);
}

function matchesQuery(matcher: HostawayQueryMatcher | undefined, query: URLSearchParams): boolean {
  return Object.entries(matcher ?? {}).every(([name, value]) => query.get(name) === value);
}

function checkTimes(times: number | undefined): number {
  const value = times ?? 1;
  if (!Number.isInteger(value) || value < 0)
    throw new RangeError(`times must be an integer ≥ 0, got ${times}`);
  return value;
}
