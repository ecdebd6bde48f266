/** Response headers as HTTP clients give them (got, node:http). */
export type HttpHeaders = Record<string, string | string[] | undefined>;

/** Case-insensitive single header value (the first one when repeated). */
export function headerValue(headers: HttpHeaders, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date (past dates → 0);
 * undefined when absent or unparseable.
 */
export function parseRetryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
