/** Upstream facts the Hostaway simulator enforces (shared reference §1–§4). */

/** Which endpoint a request hit; stats are kept per kind. */
export type HostawayPathKind =
  'accessTokens' | 'listings' | 'reservations' | 'conversations' | 'messages' | 'webhooks' | 'other';

export const HOSTAWAY_PATH_KINDS: readonly HostawayPathKind[] = [
  'accessTokens',
  'listings',
  'reservations',
  'conversations',
  'messages',
  'webhooks',
  'other',
];

/** Upstream's page size when `limit` is absent (reference §2: "Page size 100"). */
export const HOSTAWAY_DEFAULT_PAGE_SIZE = 100;
/** Upstream documents no maximum; the simulator rejects `limit` above this with 400 (configurable). */
export const HOSTAWAY_DEFAULT_MAX_PAGE_SIZE = 500;
/** Tokens are usable only ~1 s after issue (reference §1). */
export const HOSTAWAY_DEFAULT_TOKEN_WARMUP_MS = 1000;
/** Tokens live 24 months (reference §1). */
export const HOSTAWAY_DEFAULT_TOKEN_TTL_MS = 730 * 86_400_000;

export interface RateLimitWindow {
  limit: number;
  windowMs: number;
}

export interface HostawayRateLimits {
  perIp?: RateLimitWindow | false;
  perAccount?: RateLimitWindow | false;
}

/** 15 req/10 s per IP, 20 req/10 s per account id (reference §2). */
export const HOSTAWAY_DEFAULT_RATE_LIMITS: Readonly<Required<HostawayRateLimits>> = {
  perIp: { limit: 15, windowMs: 10_000 },
  perAccount: { limit: 20, windowMs: 10_000 },
};

/** channelId → channelName (reference §3). */
export const HOSTAWAY_CHANNELS: Readonly<Record<number, string>> = {
  2000: 'direct',
  2002: 'homeaway',
  2005: 'bookingcom',
  2007: 'expedia',
  2010: 'vrboical',
  2013: 'bookingengine',
  2018: 'airbnbOfficial',
  2019: 'marriott',
};

export type HostawayReservationStatus =
  | 'new'
  | 'modified'
  | 'cancelled'
  | 'ownerStay'
  | 'pending'
  | 'awaitingPayment'
  | 'awaitingGuestVerification'
  | 'unconfirmed'
  | 'declined'
  | 'expired'
  | 'inquiry'
  | 'inquiryPreapproved'
  | 'inquiryDenied'
  | 'inquiryTimedout'
  | 'inquiryNotPossible'
  | 'unknown';

/** Error body of every failed call: `{"status":"fail","message":"…"}` (reference §2). */
export interface HostawayFailBody {
  status: 'fail';
  message: string;
}

export function failBody(message: string): HostawayFailBody {
  return { status: 'fail', message };
}

/** `YYYY-MM-DD HH:MM:SS`, UTC, no offset (reference intro). */
export function formatHostawayDateTime(date: Date | number): string {
  const iso = new Date(date).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export function formatHostawayDate(date: Date | number): string {
  return new Date(date).toISOString().slice(0, 10);
}

/**
 * Parse `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD`) as UTC; null when malformed.
 * A bare date means 00:00:00, or 23:59:59 when `endOfDay` (inclusive upper bounds).
 */
export function parseHostawayDateTime(value: string, endOfDay = false): number | null {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2}))?$/.exec(value);
  if (!match) return null;
  const time = match[2] ?? (endOfDay ? '23:59:59' : '00:00:00');
  const ms = Date.parse(`${match[1]}T${time}Z`);
  if (Number.isNaN(ms) || formatHostawayDateTime(ms) !== `${match[1]} ${time}`) return null;
  return ms;
}
