const DAY_MS = 86_400_000;

/** Parse YYYY-MM-DD as a UTC calendar date (milliseconds at 00:00Z). */
export function parseIsoDate(value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new RangeError(`not a YYYY-MM-DD date: ${value}`);
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || formatIsoDate(ms) !== value) throw new RangeError(`invalid date: ${value}`);
  return ms;
}

export function formatIsoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return formatIsoDate(parseIsoDate(date) + days * DAY_MS);
}

/** Whole days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((parseIsoDate(b) - parseIsoDate(a)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday */
export function weekday(date: string): number {
  return new Date(parseIsoDate(date)).getUTCDay();
}

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
