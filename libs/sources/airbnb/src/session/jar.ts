import { CookieJar } from 'tough-cookie';
import { AccountAuthError } from '@staysync/core';
import { AUTH_COOKIE_NAMES, parseCookieHeader, serializeCookies } from '../cookie';

/**
 * The job's cookie jar (reference §2): seeded with the stored auth cookies, it takes every Set-Cookie
 * the preflight and the GraphQL calls bring (fresh Akamai cookies, rotated `_aaj`) and sends them back.
 * Only the auth cookies ever leave it (`authCookieHeader`); Akamai's die with the job.
 */
export function createSessionJar(baseUrl: string, authCookie: string): CookieJar {
  const pairs = parseCookieHeader(authCookie);
  if (pairs.length === 0) throw new AccountAuthError('the account has no Airbnb cookie');
  const jar = new CookieJar(undefined, { looseMode: true });
  const url = new URL(baseUrl);
  // On airbnb.com the auth cookies are set for the whole domain; elsewhere (a simulator) they are host-only.
  const domain = /(^|\.)airbnb\.com$/i.test(url.hostname) ? '; Domain=.airbnb.com' : '';
  for (const { name, value } of pairs) {
    if (/[\r\n\0;]/.test(value)) throw new AccountAuthError(`the stored ${name} cookie is malformed`);
    jar.setCookieSync(`${name}=${value}; Path=/${domain}`, url.origin, { ignoreError: false });
  }
  return jar;
}

/** The auth cookies the jar would send to `baseUrl` now, as a `Cookie` value in the reference's order. */
export async function authCookieHeader(jar: CookieJar, baseUrl: string): Promise<string> {
  const cookies = await jar.getCookies(new URL('/', baseUrl).toString());
  const byName = new Map(cookies.map((cookie) => [cookie.key, cookie.value]));
  return serializeCookies(
    AUTH_COOKIE_NAMES.filter((name) => byName.has(name)).map((name) => ({ name, value: byName.get(name)! })),
  );
}

/** got 11's `cookieJar` contract (promise-returning), so got keeps no state of its own. */
export function gotCookieJar(jar: CookieJar) {
  return {
    getCookieString: (url: string) => jar.getCookieString(url),
    setCookie: async (rawCookie: string, url: string) => {
      await jar.setCookie(rawCookie, url, { ignoreError: true });
    },
  };
}
