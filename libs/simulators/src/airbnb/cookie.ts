import { SeededRandom } from './random';

const ACCOUNT_ID = /^\d+$/;

export function assertAccountId(accountId: string): void {
  if (!ACCOUNT_ID.test(accountId)) {
    throw new RangeError(
      `Airbnb account ids are digits only (the id_str of _user_attributes), got "${accountId}"`,
    );
  }
}

/**
 * A realistic, deterministic set of Airbnb auth cookies for `accountId` (the cookies
 * reference §2 says persist: session, _aat, _user_attributes, …), as a `Cookie` header value.
 */
export function makeAirbnbCookie(accountId: string): string {
  assertAccountId(accountId);
  const rnd = new SeededRandom(`cookie:${accountId}`);
  // Hand-written JSON so that `id` keeps every digit (ids can exceed Number.MAX_SAFE_INTEGER).
  const userAttributes =
    `{"curr":"USD","guest_exchange":1.0,"device_profiling_session_id":"${rnd.digits(10)}--${rnd.hex(20)}",` +
    `"giftcard_profiling_session_id":"${rnd.digits(10)}--${rnd.hex(20)}",` +
    `"reservation_profiling_session_id":"${rnd.digits(10)}--${rnd.hex(20)}",` +
    `"id":${accountId},"id_str":"${accountId}","hash_user_id":"${rnd.hex(40)}",` +
    `"eid":"${rnd.alnum(22)}","num_h":${rnd.int(1, 9)},"num_trp":0,"num_msg":0,"num_notif":${rnd.int(0, 5)},` +
    `"name":"Host","tzo":-240,"is_admin":false,"is_prohost":true}`;
  const cookies: Array<[string, string]> = [
    ['_airbed_session_id', rnd.hex(32)],
    ['_aaj', `${rnd.int(20, 29)}%7C${rnd.int(1, 2)}%7C${rnd.alnum(32)}`],
    ['_aat', `0%7C${rnd.alnum(40)}`],
    ['auth_jitney_session_id', rnd.uuid()],
    ['hli', '1'],
    ['li', '1'],
    ['_user_attributes', encodeURIComponent(userAttributes)],
    ['_pt', `1--${rnd.alnum(40)}`],
    ['rclu', `%7B%22${accountId}%22%3D%3E%22${rnd.alnum(24)}%22%7D--${rnd.hex(40)}`],
  ];
  return cookies.map(([name, value]) => `${name}=${value}`).join('; ');
}

/** `Cookie` header → name/value pairs (values left encoded; the first occurrence of a name wins). */
export function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, part.slice(eq + 1).trim());
  }
  return cookies;
}

/** The account id from `_user_attributes` (`id_str`, falling back to `id`), or null. */
export function accountIdFromCookie(header: string | undefined): string | null {
  const raw = parseCookieHeader(header).get('_user_attributes');
  if (raw === undefined) return null;
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const idStr = (parsed as Record<string, unknown>).id_str;
  if (typeof idStr === 'string') return ACCOUNT_ID.test(idStr) ? idStr : null;
  // `id` is a JSON number that may not survive JSON.parse exactly: read its digits from the text.
  return /"id"\s*:\s*(\d+)/.exec(text)?.[1] ?? null;
}

/**
 * Whether the request carries every cookie of `expected` with exactly the same value.
 * Extra cookies (Akamai's, analytics) are tolerated, as a browser-like jar adds them.
 */
export function cookieMatches(header: string | undefined, expected: string): boolean {
  const sent = parseCookieHeader(header);
  for (const [name, value] of parseCookieHeader(expected)) {
    if (sent.get(name) !== value) return false;
  }
  return true;
}
