/**
 * The request parameters and bodies the simulator checks. Anything malformed throws BadRequest,
 * which the server answers with 400 `{"status":"fail"}`.
 */
import { formatHostawayDateTime, HOSTAWAY_DEFAULT_PAGE_SIZE, parseHostawayDateTime } from './protocol';

export class BadRequest extends Error {}

export interface Page {
  limit: number;
  offset: number;
}

/** `limit` (default 100, 1…maxPageSize) and `offset` (≥ 0); `page` is ignored, as upstream ignores it (reference §2, §7). */
export function paging(url: URL, maxPageSize: number): Page {
  const q = url.searchParams;
  const limit = optionalInt(q, 'limit') ?? HOSTAWAY_DEFAULT_PAGE_SIZE;
  const offset = optionalInt(q, 'offset') ?? 0;
  if (limit < 1) throw new BadRequest('limit must be ≥ 1');
  if (limit > maxPageSize) throw new BadRequest(`limit must be ≤ ${maxPageSize}`);
  return { limit, offset };
}

/** A non-negative decimal integer parameter; absent/empty → undefined; anything else → 400. */
export function optionalInt(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new BadRequest(`${name} must be a non-negative integer`);
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new BadRequest(`${name} is out of range`);
  return value;
}

/** An inclusive range of `YYYY-MM-DD[ HH:MM:SS]` strings (they compare as text); an absent bound is open. */
export interface Range {
  start?: string;
  end?: string;
}

/** latestActivityStart/End, inclusive, normalized to `YYYY-MM-DD HH:MM:SS` (a bare date end = 23:59:59). */
export function activityRange(url: URL): Range {
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

/** Two `YYYY-MM-DD` parameters, e.g. arrivalStartDate/arrivalEndDate. */
export function dateRange(q: URLSearchParams, startName: string, endName: string): Range {
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

export function inRange(value: string, { start, end }: Range): boolean {
  return (start === undefined || value >= start) && (end === undefined || value <= end);
}

export function parseJsonObject(raw: string): Record<string, unknown> {
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
