import { HostawayFaultInjector } from './faults';
import { HostawayRateLimiter, retryAfterSeconds, SlidingWindow, tooManyRequests } from './rate-limit';

describe('SlidingWindow', () => {
  it('admits `limit` arrivals per window and says when the next slot frees', () => {
    const window = new SlidingWindow(3, 100);
    for (const t of [0, 10, 20]) {
      expect(window.waitMs(t)).toBe(0);
      window.record(t);
    }
    expect(window.waitMs(30)).toBe(70);
    expect(window.waitMs(99)).toBe(1);
    expect(window.waitMs(100)).toBe(0);
    window.record(100);
    expect(window.waitMs(105)).toBe(5);
  });

  it('does not count rejected arrivals', () => {
    const window = new SlidingWindow(1, 100);
    window.record(0);
    for (let t = 1; t < 100; t += 10) expect(window.waitMs(t)).toBe(100 - t);
    expect(window.waitMs(100)).toBe(0);
  });

  it('rounds Retry-After up to whole seconds, at least 1', () => {
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
    expect(retryAfterSeconds(8000)).toBe(8);
  });

  it('rejects bad limits', () => {
    expect(() => new SlidingWindow(0, 100)).toThrow(RangeError);
    expect(() => new SlidingWindow(1, 0)).toThrow(RangeError);
  });
});

describe('HostawayRateLimiter', () => {
  it('counts every request per IP and, given an account, per account too; refusals are not recorded', () => {
    const limiter = new HostawayRateLimiter({
      perIp: { limit: 3, windowMs: 1000 },
      perAccount: { limit: 2, windowMs: 1000 },
    });
    expect(limiter.admit(0, 'ip-a', 1)).toBeUndefined();
    expect(limiter.admit(10, 'ip-a', 1)).toBeUndefined();
    expect(limiter.admit(20, 'ip-a', 1)).toEqual({
      waitMs: 980,
      exceeded: '2 requests per 1 s per account 1',
    });
    expect(limiter.admit(30, 'ip-a', undefined)).toBeUndefined();
    expect(limiter.admit(40, 'ip-a', undefined)).toEqual({
      waitMs: 960,
      exceeded: '3 requests per 1 s per IP',
    });
    expect(limiter.admit(40, 'ip-b', 2)).toBeUndefined();
    expect(limiter.admit(1000, 'ip-a', 1)).toBeUndefined();
  });

  it('takes the default limits, and `false` disables them', () => {
    const defaults = new HostawayRateLimiter(undefined);
    for (let i = 0; i < 15; i++) expect(defaults.admit(0, 'ip', undefined)).toBeUndefined();
    expect(defaults.admit(0, 'ip', undefined)?.exceeded).toBe('15 requests per 10 s per IP');
    const accountOnly = new HostawayRateLimiter({ perIp: false });
    for (let i = 0; i < 20; i++) expect(accountOnly.admit(0, 'ip', 1)).toBeUndefined();
    expect(accountOnly.admit(0, 'ip', 1)?.exceeded).toBe('20 requests per 10 s per account 1');
    const off = new HostawayRateLimiter(false);
    for (let i = 0; i < 100; i++) expect(off.admit(0, 'ip', 1)).toBeUndefined();
    expect(() => new HostawayRateLimiter({ perIp: { limit: 0, windowMs: 1 } })).toThrow(RangeError);
  });

  it('answers a refusal with 429 and Retry-After in whole seconds', () => {
    expect(tooManyRequests({ waitMs: 1500, exceeded: '15 requests per 10 s per IP' })).toEqual({
      status: 429,
      body: {
        status: 'fail',
        message: 'Too Many Requests: rate limit of 15 requests per 10 s per IP exceeded',
      },
      headers: { 'Retry-After': '2' },
    });
  });
});

describe('HostawayFaultInjector', () => {
  it('fires on matching paths `times` times; hangs before fails; string = path or kind', () => {
    const faults = new HostawayFaultInjector({
      failNext: [
        { path: 'reservations', status: 503, times: 2 },
        { path: /\/messages$/, status: 500 },
      ],
      hangNext: [{ path: '/v1/reservations', hangMs: 10 }],
    });
    expect(faults.next('/v1/listings', 'listings')).toEqual({ kind: 'none' });
    expect(faults.next('/v1/reservations', 'reservations')).toEqual({ kind: 'hang', hangMs: 10 });
    expect(faults.next('/v1/reservations', 'reservations')).toEqual({
      kind: 'fail',
      status: 503,
      message: 'Simulated 503',
    });
    expect(faults.next('/v1/reservations', 'reservations').kind).toBe('fail');
    expect(faults.next('/v1/reservations', 'reservations').kind).toBe('none');
    expect(faults.next('/v1/conversations/7/messages', 'messages')).toMatchObject({
      kind: 'fail',
      status: 500,
    });
    expect(faults.pending()).toBe(0);
    expect(() => faults.add({ failNext: [{ path: 'x', status: 42 }] })).toThrow(RangeError);
  });

  it('a fault with `query` fires only on requests carrying those parameter values', () => {
    const faults = new HostawayFaultInjector({
      failNext: [{ path: 'reservations', query: { offset: '100', limit: '100' }, status: 500 }],
    });
    expect(faults.next('/v1/reservations', 'reservations').kind).toBe('none');
    expect(
      faults.next('/v1/reservations', 'reservations', new URLSearchParams('limit=100&offset=0')).kind,
    ).toBe('none');
    expect(
      faults.next('/v1/reservations', 'reservations', new URLSearchParams('offset=100&limit=100&x=1')).kind,
    ).toBe('fail');
    expect(faults.pending()).toBe(0);
  });
});
