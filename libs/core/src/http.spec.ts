import { headerValue, parseRetryAfterMs } from './http';

const NOW = Date.parse('2025-07-16T05:00:00Z');

describe('parseRetryAfterMs', () => {
  it('is undefined without a header', () => expect(parseRetryAfterMs(undefined, NOW)).toBeUndefined());
});

describe('headerValue', () => {
  it('reads a header case-insensitively, the first of repeated values', () => {
    expect(headerValue({ 'Retry-After': '3' }, 'retry-after')).toBe('3');
    expect(headerValue({ 'set-cookie': ['a', 'b'] }, 'Set-Cookie')).toBe('a');
    expect(headerValue({}, 'location')).toBeUndefined();
  });
});
