import type { SensitiveFields } from '@staysync/crypto';

/**
 * Property secrets Hostaway returns in clear (reference §3): listings carry the guests' wifi login and the
 * door code, reservations door codes and lock-box details. They are sealed with the credentials key
 * before any envelope is published (fetcher, webhook receiver), so no topic, table or log holds them.
 * Configurable: HOSTAWAY_SENSITIVE_FIELDS and HOSTAWAY_SENSITIVE_FIELD_PATTERN (these are the defaults).
 */
export const HOSTAWAY_SENSITIVE_FIELDS: SensitiveFields = {
  names: ['wifiUsername', 'wifiPassword', 'doorSecurityCode'],
  pattern: /password|secret|doorCode|lockbox/i,
};
