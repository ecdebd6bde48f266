import {
  incrementalStart,
  planDateRange,
  rebaseWindow,
  planWindows,
  relativeDs,
  splitIntoWindows,
  weekSundayOf,
  type Window,
} from './windows';

const ends = (windows: Window[]) => windows.map((w) => [w.relativeDsStart, w.relativeDsEnd]);

describe('relativeDs', () => {
  it.each([
    ['2025-07-16', '2025-07-16', 3],
    ['2025-01-19', '2025-07-16', -175],
    ['2026-01-10', '2025-07-16', 181],
    ['2026-01-01', '2025-12-31', 4],
  ])('%s seen from %s → %i', (date, scrapeDay, expected) => {
    expect(relativeDs(date, scrapeDay)).toBe(expected);
  });

  it('takes the offset as a parameter (+2 was used until Sep 2025)', () => {
    expect(relativeDs('2025-07-16', '2025-07-16', 2)).toBe(2);
  });
});

describe('weekSundayOf', () => {
  it.each([
    ['2025-07-16', '2025-07-13'],
    ['2025-07-13', '2025-07-13'],
    ['2025-07-19', '2025-07-13'],
    ['2026-01-01', '2025-12-28'],
  ])('%s → %s', (date, sunday) => expect(weekSundayOf(date)).toBe(sunday));
});

describe('planWindows — reference §3 worked example, scrapeDay 2025-07-16 (Wednesday)', () => {
  const firstRun = planWindows({ scrapeDay: '2025-07-16', firstRun: true });

  it('first run starts at 2025-07-16 − 180 d = 2025-01-17 (Fri) rounded forward to Sunday 2025-01-19', () => {
    expect(firstRun.chart[0].start).toBe('2025-01-19');
    expect(firstRun.listOfMetrics[0].start).toBe('2025-01-19');
  });

  it('ends at weekSunday 07-13 + 25 weeks + 6 d = 2026-01-10 (a Saturday, under the 2026-01-14 limit)', () => {
    expect(firstRun.chart.at(-1)?.end).toBe('2026-01-10');
    expect(firstRun.listOfMetrics.at(-1)?.end).toBe('2026-01-10');
  });

  it('has 13 chart windows of 28 days, the last one truncated to 21 days', () => {
    expect(firstRun.chart).toHaveLength(13);
    expect(firstRun.chart[0]).toEqual({
      start: '2025-01-19',
      end: '2025-02-15',
      relativeDsStart: -175,
      relativeDsEnd: -148,
    });
    expect(firstRun.chart[1]).toEqual({
      start: '2025-02-16',
      end: '2025-03-15',
      relativeDsStart: -147,
      relativeDsEnd: -120,
    });
    expect(firstRun.chart[12]).toEqual({
      start: '2025-12-21',
      end: '2026-01-10',
      relativeDsStart: 161,
      relativeDsEnd: 181,
    });
    expect(firstRun.chart[12].relativeDsEnd - firstRun.chart[12].relativeDsStart + 1).toBe(21);
  });

  it('has 51 list-of-metrics windows from (−175, −169) to (175, 181)', () => {
    expect(firstRun.listOfMetrics).toHaveLength(51);
    expect(ends(firstRun.listOfMetrics)[0]).toEqual([-175, -169]);
    expect(ends(firstRun.listOfMetrics)[50]).toEqual([175, 181]);
  });

  it('windows are contiguous Sun–Sat runs with no gap or overlap', () => {
    for (const windows of [firstRun.chart, firstRun.listOfMetrics]) {
      windows.slice(1).forEach((w, i) => expect(w.relativeDsStart).toBe(windows[i].relativeDsEnd + 1));
    }
    for (const w of firstRun.listOfMetrics) expect(w.relativeDsEnd - w.relativeDsStart).toBe(6);
  });

  it('incremental run starts at weekSunday − 7 d = 2025-07-06 (offset −7): 7 chart and 27 LoM windows', () => {
    const incremental = planWindows({ scrapeDay: '2025-07-16', firstRun: false });
    expect(incremental.chart[0]).toEqual({
      start: '2025-07-06',
      end: '2025-08-02',
      relativeDsStart: -7,
      relativeDsEnd: 20,
    });
    expect(incremental.chart).toHaveLength(7);
    expect(incremental.listOfMetrics).toHaveLength(27);
    expect(incremental.listOfMetrics[0]).toEqual({
      start: '2025-07-06',
      end: '2025-07-12',
      relativeDsStart: -7,
      relativeDsEnd: -1,
    });
    expect(incremental.chart.at(-1)?.end).toBe('2026-01-10');
  });
});

describe('planWindows — across the year end', () => {
  it('scrapeDay 2025-12-31 (Wed): start 2025-07-06, end 2026-06-27, a chart window spanning New Year', () => {
    // 2025-12-31 − 180 d = 2025-07-04 (Fri) → Sunday 2025-07-06; weekSunday 2025-12-28 + 181 d = 2026-06-27.
    const plan = planWindows({ scrapeDay: '2025-12-31', firstRun: true });
    expect(plan.chart).toHaveLength(13);
    expect(plan.listOfMetrics).toHaveLength(51);
    expect(plan.chart[0]).toMatchObject({ start: '2025-07-06', relativeDsStart: -175 });
    expect(plan.chart[6]).toEqual({
      start: '2025-12-21',
      end: '2026-01-17',
      relativeDsStart: -7,
      relativeDsEnd: 20,
    });
    expect(plan.chart[12]).toEqual({
      start: '2026-06-07',
      end: '2026-06-27',
      relativeDsStart: 161,
      relativeDsEnd: 181,
    });
  });

  it('scrapeDay 2026-01-01 (Thu): same calendar windows, every offset one less', () => {
    // 2026-01-01 − 180 d = 2025-07-05 (Sat) → Sunday 2025-07-06; weekSunday is still 2025-12-28.
    const plan = planWindows({ scrapeDay: '2026-01-01', firstRun: true });
    const previousDay = planWindows({ scrapeDay: '2025-12-31', firstRun: true });
    expect(plan.chart.map((w) => [w.start, w.end])).toEqual(previousDay.chart.map((w) => [w.start, w.end]));
    expect(plan.chart[0]).toMatchObject({ start: '2025-07-06', relativeDsStart: -176 });
    expect(plan.listOfMetrics.at(-1)).toEqual({
      start: '2026-06-21',
      end: '2026-06-27',
      relativeDsStart: 174,
      relativeDsEnd: 180,
    });
  });

  it('incremental runs at the year end start on 2025-12-21', () => {
    expect(planWindows({ scrapeDay: '2026-01-01', firstRun: false }).listOfMetrics[0]).toEqual({
      start: '2025-12-21',
      end: '2025-12-27',
      relativeDsStart: -8,
      relativeDsEnd: -2,
    });
  });
});

describe('planWindows — forward limit (end ≤ scrapeDay + 182, never clipped)', () => {
  it('never trips with the defaults: a Sunday scrape day gives the maximum, +181', () => {
    const { end } = planDateRange({ scrapeDay: '2025-07-13', firstRun: false });
    expect(end).toBe('2026-01-10');
    expect(relativeDs(end, '2025-07-13') - 3).toBe(181);
  });

  it('throws a RangeError when the lookahead runs past the limit', () => {
    expect(() => planWindows({ scrapeDay: '2025-07-13', firstRun: true, lookaheadWeeks: 26 })).toThrow(
      RangeError,
    );
    expect(() => planWindows({ scrapeDay: '2025-07-13', firstRun: true, lookaheadWeeks: 26 })).toThrow(
      /2026-01-17 is 188 days after scrape day 2025-07-13; Airbnb allows at most 182/,
    );
  });

  it('is inclusive at the limit', () => {
    expect(() =>
      planWindows({ scrapeDay: '2025-07-13', firstRun: true, maxForwardOffsetDays: 181 }),
    ).not.toThrow();
    expect(() => planWindows({ scrapeDay: '2025-07-13', firstRun: true, maxForwardOffsetDays: 180 })).toThrow(
      RangeError,
    );
  });

  it('rejects invalid input', () => {
    expect(() => planWindows({ scrapeDay: '2025-02-30', firstRun: true })).toThrow(RangeError);
    expect(() => planWindows({ scrapeDay: '2025-07-16', firstRun: true, lookaheadWeeks: -1 })).toThrow(
      RangeError,
    );
    expect(() => planWindows({ scrapeDay: '2025-07-16', firstRun: true, offset: 2.5 })).toThrow(RangeError);
  });
});

describe('splitIntoWindows', () => {
  it('returns a single truncated window when the range is shorter than the step', () => {
    expect(
      splitIntoWindows({ start: '2025-07-06', end: '2025-07-08', days: 7, scrapeDay: '2025-07-16' }),
    ).toEqual([{ start: '2025-07-06', end: '2025-07-08', relativeDsStart: -7, relativeDsEnd: -5 }]);
  });

  it('returns nothing for an empty range', () => {
    expect(
      splitIntoWindows({ start: '2025-07-09', end: '2025-07-08', days: 7, scrapeDay: '2025-07-16' }),
    ).toEqual([]);
  });
});

describe('incrementalStart — gaps after failed or skipped days (scrapeDay 2025-07-16, weekSunday 07-13)', () => {
  const scrapeDay = '2025-07-16';

  it('last success a day ago: the usual week before this Sunday (07-06), no gap note', () => {
    expect(incrementalStart({ scrapeDay, firstRun: false, lastSyncDay: '2025-07-15' })).toEqual({
      start: '2025-07-06',
      closesGap: false,
      limited: false,
    });
  });

  it("a 3-week gap (last success Wed 2025-06-25): a week before that day's Sunday 06-22 → 06-15", () => {
    expect(incrementalStart({ scrapeDay, firstRun: false, lastSyncDay: '2025-06-25' })).toEqual({
      start: '2025-06-15',
      closesGap: true,
      limited: false,
    });
    const { start } = planDateRange({ scrapeDay, firstRun: false, lastSyncDay: '2025-06-25' });
    expect(start).toBe('2025-06-15');
    // 4 more LoM weeks than the usual 27 windows
    expect(planWindows({ scrapeDay, firstRun: false, lastSyncDay: '2025-06-25' }).listOfMetrics).toHaveLength(
      30,
    );
  });

  it('a gap past the 180-day limit (last success 2024-12-04): the first-run start 2025-01-19', () => {
    expect(incrementalStart({ scrapeDay, firstRun: false, lastSyncDay: '2024-12-04' })).toEqual({
      start: '2025-01-19',
      closesGap: true,
      limited: true,
    });
  });

  it('no last sync day: the usual start', () => {
    expect(incrementalStart({ scrapeDay, firstRun: false, lastSyncDay: null }).start).toBe('2025-07-06');
  });
});

describe('rebaseWindow — a job planned on 2025-07-16 sending after midnight', () => {
  const window = { start: '2025-07-06', end: '2025-07-12', relativeDsStart: -7, relativeDsEnd: -1 };

  it('same day: offsets unchanged', () => {
    expect(rebaseWindow(window, '2025-07-16')).toEqual({ window, clipped: false });
  });

  it('next day: the same dates with offsets one lower', () => {
    expect(rebaseWindow(window, '2025-07-17')).toEqual({
      window: { ...window, relativeDsStart: -8, relativeDsEnd: -2 },
      clipped: false,
    });
  });

  it('the first-run window reaching 180 days back is clipped at its start, never shifted', () => {
    // scrapeDay 2025-07-16 − 180 = 2025-01-17; sent on 2025-07-18 the earliest date allowed is 2025-01-19
    const oldest = { start: '2025-01-17', end: '2025-01-23', relativeDsStart: -177, relativeDsEnd: -171 };
    expect(rebaseWindow(oldest, '2025-07-18')).toEqual({
      window: { start: '2025-01-19', end: '2025-01-23', relativeDsStart: -177, relativeDsEnd: -173 },
      clipped: true,
    });
  });

  it('a window wholly before the limit from the send day is dropped', () => {
    expect(
      rebaseWindow(
        { start: '2025-01-10', end: '2025-01-16', relativeDsStart: -184, relativeDsEnd: -178 },
        '2025-07-18',
      ),
    ).toBeNull();
  });

  it('the forward limit moves with the send day: a window ending past sendDay + 182 would be clipped', () => {
    const far = { start: '2026-01-04', end: '2026-01-17', relativeDsStart: 175, relativeDsEnd: 188 };
    expect(rebaseWindow(far, '2025-07-17')?.window.end).toBe('2026-01-15');
  });
});
