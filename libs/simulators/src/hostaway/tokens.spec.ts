import { manualClock } from './spec-helpers';
import { checkTokenRequest, forbiddenMessage, HostawayTokens } from './tokens';

describe('HostawayTokens', () => {
  it('a token is refused while warming up, accepted until its TTL, then expired', () => {
    const clock = manualClock();
    const tokens = new HostawayTokens(clock.now, 1000, 60_000);
    const token = tokens.issue(7);
    expect(tokens.authenticate(`Bearer ${token}`)).toEqual({ kind: 'tooFresh', accountId: 7 });
    clock.advance(999);
    expect(tokens.authenticate(`Bearer ${token}`).kind).toBe('tooFresh');
    clock.advance(1);
    expect(tokens.authenticate(`bearer  ${token} `)).toEqual({ kind: 'valid', accountId: 7 });
    clock.advance(58_999);
    expect(tokens.authenticate(`Bearer ${token}`).kind).toBe('valid');
    clock.advance(1);
    expect(tokens.authenticate(`Bearer ${token}`)).toEqual({ kind: 'expired', accountId: 7 });
  });

  it('tells a missing header from an unknown token', () => {
    const tokens = new HostawayTokens(() => 0, 0, 1000);
    expect(tokens.authenticate(undefined)).toEqual({ kind: 'none' });
    expect(tokens.authenticate('Basic abc')).toEqual({ kind: 'none' });
    expect(tokens.authenticate('Bearer not-issued')).toEqual({ kind: 'unknown' });
  });

  it('revokes one account’s tokens, or every token', () => {
    const tokens = new HostawayTokens(() => 0, 0, 1000);
    const [a, b] = [tokens.issue(1), tokens.issue(2)];
    tokens.revoke(1);
    expect(tokens.authenticate(`Bearer ${a}`).kind).toBe('expired');
    expect(tokens.authenticate(`Bearer ${b}`).kind).toBe('valid');
    tokens.revoke();
    expect(tokens.authenticate(`Bearer ${b}`).kind).toBe('expired');
  });

  it('issues distinct JWT-shaped tokens naming their account, and grants expires_in in whole seconds', () => {
    const tokens = new HostawayTokens(() => 1_700_000_000_000, 0, 90_500);
    const [first, second] = [tokens.issue(42), tokens.issue(42)];
    expect(first).not.toBe(second);
    const payload = JSON.parse(Buffer.from(first.split('.')[1], 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({ aud: '42', iat: 1_700_000_000, exp: 1_700_000_090, scopes: ['general'] });
    expect(tokens.grant(first)).toEqual({
      status: 200,
      body: { token_type: 'Bearer', expires_in: 90, access_token: first },
    });
  });

  it('names why a token was refused', () => {
    expect(forbiddenMessage({ kind: 'none' })).toBe('Unauthorized: missing Authorization: Bearer <token>');
    expect(forbiddenMessage({ kind: 'unknown' })).toBe('Unauthorized: invalid access token');
    expect(forbiddenMessage({ kind: 'tooFresh', accountId: 1 })).toBe(
      'Unauthorized: access token is not active yet',
    );
    expect(forbiddenMessage({ kind: 'expired', accountId: 1 })).toBe(
      'Unauthorized: access token expired or revoked',
    );
  });
});

describe('checkTokenRequest', () => {
  const secrets = new Map([[10001, 'right']]);
  const check = (form: Record<string, string>) =>
    checkTokenRequest(new URLSearchParams(form), (id) => secrets.get(id));
  const good = { grant_type: 'client_credentials', client_id: '10001', client_secret: 'right' };
  const refused = (status: number, message: string) => ({
    refused: { status, body: { status: 'fail', message } },
  });

  it('names the account of good client credentials, with or without scope=general', () => {
    expect(check(good)).toEqual({ accountId: 10001 });
    expect(check({ ...good, scope: 'general' })).toEqual({ accountId: 10001 });
  });

  it('refuses malformed requests with 400', () => {
    expect(check({ ...good, grant_type: 'password' })).toEqual(
      refused(400, 'The authorization grant type is not supported (use client_credentials)'),
    );
    expect(check({ ...good, client_secret: '' })).toEqual(
      refused(400, 'client_id and client_secret are required'),
    );
    expect(check({ ...good, scope: 'admin' })).toEqual(refused(400, 'Invalid scope: admin'));
  });

  it('refuses unknown clients and wrong secrets with 401', () => {
    for (const form of [
      { ...good, client_secret: 'wrong' },
      { ...good, client_id: '10002' },
      { ...good, client_id: 'abc' },
    ]) {
      expect(check(form)).toEqual(refused(401, 'Client authentication failed'));
    }
  });
});
