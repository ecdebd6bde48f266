import { simulateDay } from './dataset';
import { formatPercent, traceIdFor } from './responses';

describe('formatPercent', () => {
  it.each([
    [0.0011021307861866275, '0.11%'],
    [0.6994221185452232, '69.9%'],
    [0.05633112907176096, '5.63%'],
    [0.01956521739130435, '1.96%'],
    [0.25, '25.0%'],
    [-0.44999999999999996, '-45.0%'],
    [0, '0.00%'],
  ])('formats %p as %p like the fixtures', (fraction, text) => {
    expect(formatPercent(fraction)).toBe(text);
  });
});

describe('traceIdFor', () => {
  it('looks like upstream (16 bytes, base64) and is stable', () => {
    expect(traceIdFor('x')).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(traceIdFor('x')).toBe(traceIdFor('x'));
    expect(traceIdFor('x')).not.toBe(traceIdFor('y'));
  });
});

describe('simulateDay', () => {
  it('keeps the funnel consistent', () => {
    for (let day = 1; day <= 28; day++) {
      const { your, similar } = simulateDay(
        '1',
        '100000000000000001',
        `2025-02-${String(day).padStart(2, '0')}`,
      );
      for (const f of [your, similar]) {
        expect(f.firstPageImpressions).toBeLessThanOrEqual(f.searchImpressions);
        expect(f.pageViews).toBeLessThanOrEqual(f.searchImpressions);
        expect(f.bookings).toBeLessThanOrEqual(f.pageViews);
      }
    }
  });
});
