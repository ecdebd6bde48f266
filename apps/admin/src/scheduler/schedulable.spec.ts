import { isSchedulable } from './schedulable';

describe('isSchedulable', () => {
  const now = new Date('2026-12-04T05:00:00Z');

  it.each([
    ['active', null, true],
    ['blocked until later', new Date('2026-12-04T05:00:01Z'), false],
    ['blocked until exactly now', new Date('2026-12-04T05:00:00Z'), true],
    ['blocked, cool-down over', new Date('2026-12-04T04:00:00Z'), true],
    ['blocked without an end', null, false],
  ] as const)('%s → %s', (what, blockedUntil, expected) => {
    const status = what === 'active' ? 'active' : 'blocked';
    expect(isSchedulable({ status, blockedUntil }, now)).toBe(expected);
  });

  it.each(['needs_reauth', 'paused'] as const)('%s → never', (status) => {
    expect(isSchedulable({ status, blockedUntil: new Date(0) }, now)).toBe(false);
  });
});
