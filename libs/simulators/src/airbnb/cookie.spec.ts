import { accountIdFromCookie, cookieMatches, makeAirbnbCookie, parseCookieHeader } from './cookie';

describe('makeAirbnbCookie', () => {
  it('builds the persisted auth cookies with a URL-encoded _user_attributes', () => {
    const cookies = parseCookieHeader(makeAirbnbCookie('123456789'));
    for (const name of [
      '_airbed_session_id',
      '_aaj',
      '_aat',
      'auth_jitney_session_id',
      'hli',
      'li',
      '_pt',
      'rclu',
    ]) {
      expect(cookies.get(name)).toBeTruthy();
    }
    const attributes = JSON.parse(decodeURIComponent(cookies.get('_user_attributes') ?? '')) as Record<
      string,
      unknown
    >;
    expect(attributes).toMatchObject({ curr: 'USD', id_str: '123456789', id: 123456789 });
  });

  it('is deterministic per account', () => {
    expect(makeAirbnbCookie('42')).toBe(makeAirbnbCookie('42'));
    expect(makeAirbnbCookie('42')).not.toBe(makeAirbnbCookie('43'));
  });

  it('refuses ids that are not digits', () => {
    expect(() => makeAirbnbCookie('host-1')).toThrow(RangeError);
  });
});

describe('accountIdFromCookie', () => {
  it('reads id_str, keeping ids beyond Number.MAX_SAFE_INTEGER exact', () => {
    expect(accountIdFromCookie(makeAirbnbCookie('123456789012345678901'))).toBe('123456789012345678901');
  });

  it('falls back to the digits of id', () => {
    const attributes = encodeURIComponent('{"curr":"USD","id":98765432109876543210}');
    expect(accountIdFromCookie(`foo=bar; _user_attributes=${attributes}`)).toBe('98765432109876543210');
  });

  it.each([
    undefined,
    '',
    'a=b',
    '_user_attributes=%E0%A4%A',
    '_user_attributes=not-json',
    '_user_attributes=%7B%7D',
  ])('returns null for %p', (header) => {
    expect(accountIdFromCookie(header)).toBeNull();
  });
});

describe('cookieMatches', () => {
  it('needs every expected cookie with the same value, ignoring extra ones', () => {
    expect(cookieMatches('a=1; b=2; ak_bmsc=x', 'b=2; a=1')).toBe(true);
    expect(cookieMatches('a=1; b=3', 'a=1; b=2')).toBe(false);
    expect(cookieMatches('a=1', 'a=1; b=2')).toBe(false);
  });
});
