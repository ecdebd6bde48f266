/**
 * Access tokens (reference §1): JWT-shaped, minted per account by the client-credentials grant on
 * POST /v1/accessTokens, usable from `warmupMs` after issue until `ttlMs` after it, and revocable by
 * tests (expireTokens).
 */
import { SeededRandom } from '../airbnb/random';
import { failBody } from './protocol';
import type { Reply } from './reply';

/** What a request's Authorization header proves. */
export type AuthState =
  { kind: 'none' } | { kind: 'unknown' } | { kind: 'expired' | 'tooFresh' | 'valid'; accountId: number };

interface TokenRecord {
  accountId: number;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export class HostawayTokens {
  private readonly records = new Map<string, TokenRecord>();
  private serial = 0;

  constructor(
    /** ms clock for warm-up and expiry */
    private readonly clock: () => number,
    private readonly warmupMs: number,
    private readonly ttlMs: number,
  ) {}

  issue(accountId: number): string {
    const serial = ++this.serial;
    const rnd = new SeededRandom(`hostaway:token:${accountId}:${serial}`);
    const issuedAt = this.clock();
    const header = b64url({ typ: 'JWT', alg: 'RS256' });
    const payload = b64url({
      aud: String(accountId),
      jti: rnd.hex(80),
      iat: Math.floor(issuedAt / 1000),
      nbf: Math.floor(issuedAt / 1000),
      exp: Math.floor((issuedAt + this.ttlMs) / 1000),
      sub: '',
      scopes: ['general'],
      secretId: serial,
    });
    const token = `${header}.${payload}.${rnd.bytes(64).toString('base64url')}`;
    this.records.set(token, { accountId, issuedAt, expiresAt: issuedAt + this.ttlMs, revoked: false });
    return token;
  }

  authenticate(authorization: string | undefined): AuthState {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { kind: 'none' };
    const record = this.records.get(match[1]);
    if (!record) return { kind: 'unknown' };
    const t = this.clock();
    if (record.revoked || t >= record.expiresAt) return { kind: 'expired', accountId: record.accountId };
    if (t - record.issuedAt < this.warmupMs) return { kind: 'tooFresh', accountId: record.accountId };
    return { kind: 'valid', accountId: record.accountId };
  }

  /** Every token issued so far (to the account, or to all) is refused from now on. */
  revoke(accountId?: number): void {
    for (const record of this.records.values()) {
      if (accountId === undefined || record.accountId === accountId) record.revoked = true;
    }
  }

  /** The 200 of a mint: `expires_in` = ⌊ttl/1000⌋. */
  grant(token: string): Reply {
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: Math.floor(this.ttlMs / 1000), access_token: token },
    };
  }
}

/** The 403 message for a request without a valid token. */
export function forbiddenMessage(auth: AuthState): string {
  switch (auth.kind) {
    case 'none':
      return 'Unauthorized: missing Authorization: Bearer <token>';
    case 'tooFresh':
      return 'Unauthorized: access token is not active yet';
    case 'expired':
      return 'Unauthorized: access token expired or revoked';
    default:
      return 'Unauthorized: invalid access token';
  }
}

/**
 * Checks a POST /v1/accessTokens form. Malformed requests → 400. Unknown client_id or wrong secret →
 * 401 (the OAuth2 `invalid_client` status of Hostaway's token server; the reference only documents
 * 403 for bad *bearer* tokens on the resource endpoints), body `{"status":"fail","message":…}`.
 * Returns the refusal, or the account the client credentials name.
 */
export function checkTokenRequest(
  form: URLSearchParams,
  secretOf: (accountId: number) => string | undefined,
): { refused: Reply } | { accountId: number } {
  const refuse = (status: number, message: string) => ({ refused: { status, body: failBody(message) } });
  if (form.get('grant_type') !== 'client_credentials')
    return refuse(400, 'The authorization grant type is not supported (use client_credentials)');
  const clientId = form.get('client_id') ?? '';
  const secret = form.get('client_secret') ?? '';
  if (clientId === '' || secret === '') return refuse(400, 'client_id and client_secret are required');
  const scope = form.get('scope');
  if (scope !== null && scope !== 'general') return refuse(400, `Invalid scope: ${scope}`);
  const accountId = /^\d+$/.test(clientId) ? Number(clientId) : undefined;
  const expected = accountId === undefined ? undefined : secretOf(accountId);
  if (accountId === undefined || expected === undefined || expected !== secret)
    return refuse(401, 'Client authentication failed');
  return { accountId };
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
