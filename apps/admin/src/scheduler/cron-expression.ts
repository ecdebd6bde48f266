import { CronTime, validateCronExpression } from 'cron';

/**
 * An account's own schedule may not fire more often than this: a sync every minute would keep an
 * account syncing back to back and spend the per-IP Hostaway limit and the Airbnb pacing of everyone.
 */
export const MIN_SYNC_CRON_INTERVAL_MS = 3_600_000;
/** fire times looked at for the interval check (a day of hourly ones) */
const LOOKAHEAD_FIRES = 24;

/**
 * A cron expression the scheduler can run for one account: 5 fields (minute precision) or 6 (seconds
 * first), UTC, that fires at all (not e.g. only on 31 February) and at most once per
 * MIN_SYNC_CRON_INTERVAL_MS.
 */
export function isSyncCron(value: unknown): boolean {
  if (
    typeof value !== 'string' ||
    !/^\s*(\S+\s+){4,5}\S+\s*$/.test(value) ||
    !validateCronExpression(value.trim()).valid
  )
    return false;
  let fires: number[];
  try {
    fires = new CronTime(value.trim(), 'UTC').sendAt(LOOKAHEAD_FIRES).map((at) => at.toMillis());
  } catch {
    return false; // no fire time in the years ahead
  }
  return fires.every((at, i) => i === 0 || at - fires[i - 1] >= MIN_SYNC_CRON_INTERVAL_MS);
}

/** One spelling per schedule, so accounts with the same expression share one cron. */
export function normalizeCron(expression: string): string {
  return expression.trim().split(/\s+/).join(' ');
}
