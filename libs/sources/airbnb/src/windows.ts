import { addDays, daysBetween, parseIsoDate, weekday } from '@staysync/core';

/**
 * Request windows (reference §3). All dates are inclusive YYYY-MM-DD; relativeDs* are the day offsets
 * Airbnb expects: days(date − scrapeDay) + offset.
 */
export interface Window {
  start: string;
  end: string;
  relativeDsStart: number;
  relativeDsEnd: number;
}

export interface WindowPlan {
  chart: Window[];
  listOfMetrics: Window[];
}

export interface PlanWindowsOptions {
  /** YYYY-MM-DD the sync scrapes for */
  scrapeDay: string;
  /** true when the account's last_sync_at is null, or a full backfill is forced */
  firstRun: boolean;
  /**
   * YYYY-MM-DD scrape day of the last successful sync: an incremental run reaches back a week before it
   * (Sunday-aligned), so failed or skipped days in between are fetched again
   */
  lastSyncDay?: string | null;
  lookaheadWeeks?: number;
  maxLookbackDays?: number;
  maxForwardOffsetDays?: number;
  offset?: number;
}

export const AIRBNB_WINDOW_DEFAULTS = {
  lookaheadWeeks: 25,
  maxLookbackDays: 180,
  maxForwardOffsetDays: 182,
  /** +3 gives Sun–Sat weeks; +2 (used until Sep 2025) gave Sat–Fri weeks */
  offset: 3,
} as const;

export const CHART_WINDOW_DAYS = 28;
export const LIST_OF_METRICS_WINDOW_DAYS = 7;
/** Airbnb backfills about 3 days late, so incremental runs re-read the previous week. */
export const INCREMENTAL_LOOKBACK_DAYS = 7;

export function relativeDs(
  date: string,
  scrapeDay: string,
  offset: number = AIRBNB_WINDOW_DEFAULTS.offset,
): number {
  return daysBetween(scrapeDay, date) + offset;
}

/** The Sunday on or before `date`. */
export function weekSundayOf(date: string): string {
  return addDays(date, -weekday(date));
}

/** The Sunday on or after `date`. */
export function nextSundayFrom(date: string): string {
  const dow = weekday(date);
  return dow === 0 ? date : addDays(date, 7 - dow);
}

/** The whole date range a sync covers; throws a RangeError when it runs past the forward limit. */
export function planDateRange(options: PlanWindowsOptions): { start: string; end: string } {
  const { scrapeDay, firstRun, lookaheadWeeks, maxForwardOffsetDays } = resolveOptions(options);
  const weekSunday = weekSundayOf(scrapeDay);
  const start = firstRun ? firstRunStart(options) : incrementalStart(options).start;
  const end = addDays(weekSunday, lookaheadWeeks * 7 + 6);

  const forwardDays = daysBetween(scrapeDay, end);
  if (forwardDays > maxForwardOffsetDays) {
    throw new RangeError(
      `window end ${end} is ${forwardDays} days after scrape day ${scrapeDay}; ` +
        `Airbnb allows at most ${maxForwardOffsetDays} (lower lookaheadWeeks, currently ${lookaheadWeeks})`,
    );
  }
  return { start, end };
}

/** scrapeDay − maxLookbackDays, rounded forward to a Sunday: the earliest date any sync asks for. */
export function firstRunStart(options: Pick<PlanWindowsOptions, 'scrapeDay' | 'maxLookbackDays'>): string {
  const maxLookbackDays = options.maxLookbackDays ?? AIRBNB_WINDOW_DEFAULTS.maxLookbackDays;
  return nextSundayFrom(addDays(options.scrapeDay, -maxLookbackDays));
}

export interface IncrementalStart {
  start: string;
  /** true when the last successful sync is older than the usual one-week lookback (a gap is being closed) */
  closesGap: boolean;
  /** true when the gap reached past the lookback limit, so the start is the first-run start */
  limited: boolean;
}

/**
 * An incremental run starts a week before this week's Sunday, or a week before the Sunday of the last
 * successful sync's scrape day when that is earlier (days missed by blocks, expired sessions or outages
 * are fetched again), but never before the first-run start (the 180-day limit).
 */
export function incrementalStart(options: PlanWindowsOptions): IncrementalStart {
  const usual = addDays(weekSundayOf(options.scrapeDay), -INCREMENTAL_LOOKBACK_DAYS);
  const afterGap = options.lastSyncDay
    ? addDays(weekSundayOf(options.lastSyncDay), -INCREMENTAL_LOOKBACK_DAYS)
    : usual;
  const wanted = daysBetween(afterGap, usual) > 0 ? afterGap : usual;
  const limit = firstRunStart(options);
  const limited = daysBetween(wanted, limit) > 0;
  return { start: limited ? limit : wanted, closesGap: wanted !== usual, limited };
}

export function planWindows(options: PlanWindowsOptions): WindowPlan {
  const { scrapeDay, offset } = resolveOptions(options);
  const { start, end } = planDateRange(options);
  const split = (days: number) => splitIntoWindows({ start, end, days, scrapeDay, offset });
  return { chart: split(CHART_WINDOW_DAYS), listOfMetrics: split(LIST_OF_METRICS_WINDOW_DAYS) };
}

/** `[cur, min(cur+days−1, end)]`, the next one starting the day after; the last window may be shorter. */
export function splitIntoWindows(input: {
  start: string;
  end: string;
  days: number;
  scrapeDay: string;
  offset?: number;
}): Window[] {
  const { start, end, days, scrapeDay, offset = AIRBNB_WINDOW_DEFAULTS.offset } = input;
  const windows: Window[] = [];
  for (let cur = start; daysBetween(cur, end) >= 0; cur = addDays(cur, days)) {
    const last = daysBetween(addDays(cur, days - 1), end) >= 0 ? addDays(cur, days - 1) : end;
    windows.push({
      start: cur,
      end: last,
      relativeDsStart: relativeDs(cur, scrapeDay, offset),
      relativeDsEnd: relativeDs(last, scrapeDay, offset),
    });
  }
  return windows;
}

function resolveOptions(options: PlanWindowsOptions): Required<Omit<PlanWindowsOptions, 'lastSyncDay'>> {
  parseIsoDate(options.scrapeDay);
  const resolved = { ...AIRBNB_WINDOW_DEFAULTS, ...withoutUndefined(options) };
  for (const name of ['lookaheadWeeks', 'maxLookbackDays', 'maxForwardOffsetDays', 'offset'] as const) {
    const value = resolved[name];
    if (!Number.isInteger(value)) throw new RangeError(`${name} must be an integer, got ${value}`);
    if (name !== 'offset' && value < 0) throw new RangeError(`${name} must be ≥ 0, got ${value}`);
  }
  return resolved;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export interface RebaseLimits {
  maxLookbackDays?: number;
  maxForwardOffsetDays?: number;
  offset?: number;
}

export type RebasedWindow = { window: Window; clipped: boolean } | null;

/**
 * The same dates asked on `sendDay` instead of the scrape day (a job that crosses midnight): offsets
 * are recomputed from `sendDay`, and the dates are clipped to what Airbnb accepts from that day
 * (sendDay − maxLookbackDays … sendDay + maxForwardOffsetDays). null when nothing of the window is left.
 */
export function rebaseWindow(window: Window, sendDay: string, limits: RebaseLimits = {}): RebasedWindow {
  const { maxLookbackDays, maxForwardOffsetDays, offset } = {
    ...AIRBNB_WINDOW_DEFAULTS,
    ...withoutUndefined(limits),
  };
  const earliest = addDays(sendDay, -maxLookbackDays);
  const latest = addDays(sendDay, maxForwardOffsetDays);
  const start = daysBetween(window.start, earliest) > 0 ? earliest : window.start;
  const end = daysBetween(latest, window.end) > 0 ? latest : window.end;
  if (daysBetween(start, end) < 0) return null;
  return {
    window: {
      start,
      end,
      relativeDsStart: relativeDs(start, sendDay, offset),
      relativeDsEnd: relativeDs(end, sendDay, offset),
    },
    clipped: start !== window.start || end !== window.end,
  };
}
