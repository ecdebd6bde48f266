/**
 * Hostaway datetimes are `YYYY-MM-DD HH:MM:SS` without an offset, in UTC (reference §0); dates are
 * `YYYY-MM-DD`. Node would read the offset-less form as local time, so it is parsed explicitly.
 */
const HOSTAWAY_DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,3})?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A Hostaway datetime as an ISO-8601 UTC string; null when absent or not a real datetime (`0000-00-00 …`). */
export function hostawayDateTimeToIso(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = HOSTAWAY_DATETIME.exec(value.trim());
  if (!match) return null;
  const [, date, time, fraction = ''] = match;
  const millis = `${fraction.slice(1)}000`.slice(0, 3);
  const iso = `${date}T${time}.${millis}Z`;
  const ms = Date.parse(iso);
  // Date.parse rolls 2025-02-30 over to March; a round trip rejects it
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== iso) return null;
  return iso;
}

/** A `YYYY-MM-DD` calendar date as is; null when absent or invalid. */
export function hostawayDate(value: unknown): string | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return null;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value ? value : null;
}

/** The form Hostaway expects in filters such as `latestActivityStart`: `YYYY-MM-DD HH:MM:SS`, UTC. */
export function formatHostawayDateTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}
