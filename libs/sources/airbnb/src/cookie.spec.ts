import { accountIdFromCookie, filterAuthCookies, parseCookieHeader } from './cookie';

const userAttributes = (attributes: object) => encodeURIComponent(JSON.stringify(attributes));

describe('accountIdFromCookie', () => {
  it.each([
    [
      'id_str',
      `_user_attributes=${userAttributes({ curr: 'USD', id_str: '123456789', id: 123456789 })}`,
      '123456789',
    ],
    [
      'id_str beyond 2^53',
      `_user_attributes=${userAttributes({ id_str: '9007199254740993123' })}`,
      '9007199254740993123',
    ],
    ['id fallback (number)', `_user_attributes=${userAttributes({ id: 42 })}`, '42'],
    ['id fallback (string)', `_user_attributes=${userAttributes({ id: '42' })}`, '42'],
    [
      'non-digit id_str falls back to id',
      `_user_attributes=${userAttributes({ id_str: 'abc', id: 7 })}`,
      '7',
    ],
    ['among other cookies', `bev=1; _user_attributes=${userAttributes({ id_str: '5' })}; _aat=x`, '5'],
    ['double URL-encoded', `_user_attributes=${encodeURIComponent(userAttributes({ id_str: '77' }))}`, '77'],
    ['plain JSON value', `_user_attributes=${JSON.stringify({ id_str: '88' })}`, '88'],
  ])('%s', (_name, cookie, expected) => {
    expect(accountIdFromCookie(cookie)).toBe(expected);
  });

  it.each([
    ['no _user_attributes', '_aat=x; li=1'],
    ['empty cookie', ''],
    ['not JSON', '_user_attributes=%7Bnot-json'],
    ['no id', `_user_attributes=${userAttributes({ curr: 'USD' })}`],
    ['non-digit ids', `_user_attributes=${userAttributes({ id_str: '12a', id: -3 })}`],
    ['unsafe numeric id', `_user_attributes=${userAttributes({ id: 2 ** 60 })}`],
    ['a JSON array', `_user_attributes=${userAttributes([1, 2])}`],
  ])('null when %s', (_name, cookie) => {
    expect(accountIdFromCookie(cookie)).toBeNull();
  });
});

describe('filterAuthCookies', () => {
  it('keeps only the auth cookies, in order, and drops Akamai and analytics cookies', () => {
    const cookie = [
      'bev=1671655677_abc',
      '_airbed_session_id=s1',
      'ak_bmsc=AKAMAI~1',
      '_aaj=27%7C1%7Cabc=',
      'bm_sv=x',
      '_aat=0%7Ctoken',
      'bm_sz=y',
      'auth_jitney_session_id=j',
      '_ga=GA1.2.3',
      'hli=1',
      'li=1',
      '_user_attributes=%7B%22id_str%22%3A%225%22%7D',
      '_pt=1--pt',
      'rclu=r',
      'country=US',
    ].join('; ');
    expect(filterAuthCookies(cookie)).toBe(
      '_airbed_session_id=s1; _aaj=27%7C1%7Cabc=; _aat=0%7Ctoken; auth_jitney_session_id=j; hli=1; li=1; ' +
        '_user_attributes=%7B%22id_str%22%3A%225%22%7D; _pt=1--pt; rclu=r',
    );
  });

  it('returns an empty string when there is no auth cookie', () => {
    expect(filterAuthCookies('ak_bmsc=1; _ga=2')).toBe('');
  });
});

describe('parseCookieHeader', () => {
  it('splits at the first "=" and skips empty parts', () => {
    expect(parseCookieHeader(' a=1=2 ;; b= ; =x; c')).toEqual([
      { name: 'a', value: '1=2' },
      { name: 'b', value: '' },
    ]);
  });
});
