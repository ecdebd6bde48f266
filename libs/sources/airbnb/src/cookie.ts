/**
 * Cookie helpers (reference §2). Only the auth cookies are ever persisted; Akamai's (`ak_bmsc`, `bm_sv`,
 * `bm_sz`) come fresh from the preflight and everything else is analytics noise.
 */
export const AUTH_COOKIE_NAMES: readonly string[] = [
  '_airbed_session_id',
  '_aaj',
  '_aat',
  'auth_jitney_session_id',
  'hli',
  'li',
  '_user_attributes',
  '_pt',
  'rclu',
];

const USER_ATTRIBUTES_COOKIE = '_user_attributes';

export interface CookiePair {
  name: string;
  value: string;
}

/** `a=1; b=2` → pairs in header order (values may contain `=`; empty or nameless parts are skipped). */
export function parseCookieHeader(cookie: string): CookiePair[] {
  return cookie
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.includes('='))
    .map((part) => {
      const eq = part.indexOf('=');
      return { name: part.slice(0, eq).trim(), value: part.slice(eq + 1).trim() };
    })
    .filter((pair) => pair.name !== '');
}

export function serializeCookies(pairs: CookiePair[]): string {
  return pairs.map(({ name, value }) => `${name}=${value}`).join('; ');
}

/** Keeps only the auth cookies, in their original order. */
export function filterAuthCookies(cookie: string): string {
  const auth = new Set(AUTH_COOKIE_NAMES);
  return serializeCookies(parseCookieHeader(cookie).filter((pair) => auth.has(pair.name)));
}

/**
 * The Airbnb user id from `_user_attributes` (URL-encoded JSON): `id_str`, else `id`; digits only.
 * A numeric `id` beyond 2^53 has already lost precision in JSON.parse, so it is not trusted.
 */
export function accountIdFromCookie(cookie: string): string | null {
  const pair = parseCookieHeader(cookie).find((p) => p.name === USER_ATTRIBUTES_COOKIE);
  const attributes = pair ? decodeUserAttributes(pair.value) : null;
  if (!attributes) return null;
  return digitsOnly(attributes.id_str) ?? digitsOnly(attributes.id);
}

function decodeUserAttributes(value: string): Record<string, unknown> | null {
  // Some captures arrive double-encoded; decode until the text parses as JSON.
  let text = stripQuotes(value);
  for (let attempt = 0; attempt < 3; attempt++) {
    const parsed = tryParseJsonObject(text);
    if (parsed) return parsed;
    const decoded = safeDecodeURIComponent(text.replace(/\+/g, ' '));
    if (decoded === null || decoded === text) return null;
    text = decoded;
  }
  return null;
}

function digitsOnly(value: unknown): string | null {
  if (typeof value === 'string') return /^\d+$/.test(value) ? value : null;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return null;
}

function stripQuotes(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

function tryParseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function safeDecodeURIComponent(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
