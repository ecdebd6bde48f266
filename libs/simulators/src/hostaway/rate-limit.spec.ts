import { HostawayFaultInjector } from './faults';
import { retryAfterSeconds, SlidingWindow } from './rate-limit';

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
});
