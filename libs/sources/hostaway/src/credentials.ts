import { AccountAuthError, type AccountRow } from '@staysync/core';
import type { MintedToken } from './client';

/** Decrypted per-account credentials; never to be logged or published. */
export interface HostawayCredentials {
  /** the Hostaway account id, also the OAuth client_id */
  accountId: string;
  clientSecret: string;
  accessToken: string | null;
  accessTokenIssuedAt: Date | null;
  accessTokenExpiresAt: Date | null;
}

/** Reads `hostaway.accounts` (account_id arrives as a string: bigint). */
export function readHostawayCredentials(
  row: AccountRow,
  decrypt: (sealed: string) => string,
): HostawayCredentials {
  if (typeof row.client_secret !== 'string' || row.client_secret === '') {
    throw new AccountAuthError('the Hostaway account has no client secret');
  }
  return {
    accountId: String(row.account_id),
    clientSecret: decrypt(row.client_secret),
    accessToken:
      typeof row.access_token === 'string' && row.access_token !== '' ? decrypt(row.access_token) : null,
    accessTokenIssuedAt: toDate(row.access_token_issued_at),
    accessTokenExpiresAt: toDate(row.access_token_expires_at),
  };
}

/** The account columns storing renewed credentials; the token is sealed, timestamps are ISO strings. */
export function hostawayCredentialColumns(
  update: Partial<HostawayCredentials>,
  seal: (plain: string) => string,
): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  if (update.accessToken !== undefined)
    columns.access_token = update.accessToken === null ? null : seal(update.accessToken);
  if (update.accessTokenIssuedAt !== undefined)
    columns.access_token_issued_at = update.accessTokenIssuedAt?.toISOString() ?? null;
  if (update.accessTokenExpiresAt !== undefined)
    columns.access_token_expires_at = update.accessTokenExpiresAt?.toISOString() ?? null;
  return columns;
}

/** The credentials update for a freshly minted token. */
export function mintedTokenUpdate(token: MintedToken): Partial<HostawayCredentials> {
  return {
    accessToken: token.accessToken,
    accessTokenIssuedAt: token.issuedAt,
    accessTokenExpiresAt:
      token.expiresIn === null ? null : new Date(token.issuedAt.getTime() + token.expiresIn * 1000),
  };
}

/** A timestamptz column as node-postgres returns it (Date) or as text; null when absent or invalid. */
export function toDate(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value !== 'string' || value === '') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}
