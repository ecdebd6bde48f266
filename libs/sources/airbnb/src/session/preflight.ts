/**
 * The preflight of reference §2: `GET /hosting/insights` with the job's jar, redirects followed. A live
 * session lands on a `/performance/` page; every other landing is dead, for one of the four reasons §2
 * lists. An edge answer (403/429, or a challenge page) is neither: the session may be fine, the IP is
 * being blocked.
 */
export const PREFLIGHT_PATH = '/hosting/insights';

/** The four dead signals of reference §2, in the order they are checked. */
export type PreflightDeadSignal =
  'login_redirect' | 'authenticate_redirect' | 'no_listings' | 'stayed_on_insights';

export type PreflightVerdict =
  | { state: 'live'; finalUrl: string }
  | { state: 'dead'; signal: PreflightDeadSignal; finalUrl: string; message: string }
  | { state: 'blocked'; status: number; finalUrl: string; message: string };

export interface PreflightPage {
  status: number;
  /** the URL after redirects */
  finalUrl: string;
  body: string;
}

const NO_LISTINGS = /you don['’]t have any listings yet/i;
/** Akamai's and Airbnb's edge challenge pages (bot manager "Access Denied", sensor/captcha interstitials). */
const CHALLENGE_PAGE = /access denied|sec-if-cpt|bm-verify|_abck|captcha/i;

export const DEAD_SIGNAL_MESSAGES: Readonly<Record<PreflightDeadSignal, string>> = {
  login_redirect: 'the preflight was redirected to the login page: the session cookie is dead',
  authenticate_redirect: 'the preflight was redirected to an authenticate page: the session cookie is dead',
  no_listings: `the preflight page says "you don't have any listings yet": the cookie is not the host's live session`,
  stayed_on_insights:
    'the preflight stayed on /hosting/insights instead of reaching /performance/: the session is dead',
};

export function classifyPreflight(page: PreflightPage): PreflightVerdict {
  const { status, finalUrl, body } = page;
  if (status === 403 || status === 429 || CHALLENGE_PAGE.test(body)) {
    return {
      state: 'blocked',
      status,
      finalUrl,
      message: `the preflight got an edge block (HTTP ${status}${CHALLENGE_PAGE.test(body) ? ', challenge page' : ''})`,
    };
  }
  const path = safePath(finalUrl);
  if (status >= 200 && status < 300 && path.includes('/performance/')) return { state: 'live', finalUrl };
  const dead = (signal: PreflightDeadSignal) => ({
    state: 'dead' as const,
    signal,
    finalUrl,
    message: DEAD_SIGNAL_MESSAGES[signal],
  });
  if (/login/i.test(path)) return dead('login_redirect');
  if (/authenticate/i.test(path)) return dead('authenticate_redirect');
  if (NO_LISTINGS.test(body)) return dead('no_listings');
  return dead('stayed_on_insights');
}

function safePath(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}
