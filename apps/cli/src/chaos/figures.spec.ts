import {
  cleanRunOnSameDays,
  COMPARED_TABLES,
  formatTable,
  judge,
  percent,
  tableFiguresSql,
  type RunFigures,
} from './figures';

const table = (stored: number, hash: string) => ({
  expected: 10,
  stored,
  rows: stored,
  hash,
  equals_clean: null,
});

function run(
  overrides: Partial<Omit<RunFigures, 'identical' | 'ok' | 'delay_s'>> = {},
): Omit<RunFigures, 'identical' | 'ok' | 'delay_s'> {
  return {
    scenario: 'fetcher-kill',
    fault: 'kill -9',
    scrape_days: { '800000001': '2026-12-05', '800000002': '2026-12-05' },
    tables: { listings: table(10, 'a'), raw_responses: table(10, 'b') },
    upstream: { planned: 10, calls: 11, duplicates: 1, duplicate_bound: 1, preflight: 4 },
    recovery_s: 12.5,
    sync_s: 70.25,
    jobs: { total: 1, succeeded: 1, failed: 0, stuck: 0 },
    died: [],
    signalled: [{ service: 'fetcher-1', signal: 'SIGKILL', status: 137 }],
    duration_s: 30,
    ...overrides,
  };
}

describe('chaos figures', () => {
  const clean = {
    tables: {
      listings: { ...table(10, 'a'), equals_clean: null },
      raw_responses: { ...table(10, 'b'), equals_clean: null },
    },
    sync_s: 60,
  };

  it('hashes each table without its volatile columns, leaving out the given accounts', () => {
    const raw = COMPARED_TABLES.find((t) => t.name === 'raw_responses')!;
    expect(tableFiguresSql(raw)).toContain(`to_jsonb(t) - '{fetched_at,job_id,parsed_at,stored_at}'::text[]`);
    expect(tableFiguresSql(raw)).toContain('WHERE account_id <> ALL($1::text[])');
    expect(tableFiguresSql(COMPARED_TABLES.find((t) => t.name === 'chart_query')!)).toContain(
      'md5((to_jsonb(t))::text)',
    );
  });

  it('is ok when every table equals the clean run and the figures hold', () => {
    const judged = judge(run(), clean);
    expect(judged.identical).toBe(true);
    expect(judged.tables.listings.equals_clean).toBe(true);
    expect(judged.delay_s).toBe(10.3);
    expect(judged.ok).toBe(true);
  });

  it.each([
    [
      'a table differs from the clean run',
      run({ tables: { listings: table(10, 'x'), raw_responses: table(10, 'b') } }),
    ],
    ['a table misses rows', run({ tables: { listings: table(9, 'a'), raw_responses: table(10, 'b') } })],
    ['a job is stuck', run({ jobs: { total: 1, succeeded: 0, failed: 0, stuck: 1 } })],
    ['a job failed', run({ jobs: { total: 1, succeeded: 0, failed: 1, stuck: 0 } })],
    ['a service died', run({ died: [{ service: 'loader-1', status: 1 }] })],
    [
      'duplicates beyond the bound',
      run({ upstream: { planned: 10, calls: 12, duplicates: 2, duplicate_bound: 1, preflight: 4 } }),
    ],
    [
      'a SIGTERM that did not end cleanly',
      run({ signalled: [{ service: 'loader-1', signal: 'SIGTERM', status: 1 }] }),
    ],
    [
      'poison not all dead-lettered',
      run({
        poison: {
          produced: { decode: 1, validate: 1, parse: 1 },
          dead_lettered: {},
          percent: { decode: 100, validate: 99.9, parse: 100 },
          kept_in_raw_store: 0,
        },
      }),
    ],
    [
      'parse poison not kept in the raw store',
      run({
        poison: {
          produced: { decode: 1, validate: 1, parse: 1 },
          dead_lettered: {},
          percent: { decode: 100, validate: 100, parse: 100 },
          kept_in_raw_store: 0,
        },
      }),
    ],
  ])('is not ok when %s', (_, figures) => {
    expect(judge(figures, clean).ok).toBe(false);
  });

  it('takes a SIGTERM that ends with the re-raised signal after the shutdown hooks as graceful', () => {
    expect(
      judge(run({ signalled: [{ service: 'loader-1', signal: 'SIGTERM', status: 143 }] }), clean).ok,
    ).toBe(true);
    expect(
      judge(run({ signalled: [{ service: 'loader-1', signal: 'SIGTERM', status: 137 }] }), clean).ok,
    ).toBe(false);
  });

  it('compares a run only with a clean run scraped on the same day for every account', () => {
    const first = judge(run({ scenario: 'clean' }), null);
    const second = judge(
      run({ scenario: 'clean-2', scrape_days: { '800000001': '2026-12-06', '800000002': '2026-12-06' } }),
      null,
    );
    expect(cleanRunOnSameDays([first, second], run())).toBe(first);
    // key order does not matter, the days do
    expect(
      cleanRunOnSameDays(
        [first, second],
        run({ scrape_days: { '800000002': '2026-12-06', '800000001': '2026-12-06' } }),
      ),
    ).toBe(second);
    // one account claimed before midnight, the other after: neither clean run matches
    expect(
      cleanRunOnSameDays(
        [first, second],
        run({ scrape_days: { '800000001': '2026-12-05', '800000002': '2026-12-06' } }),
      ),
    ).toBeUndefined();
  });

  it('gives 100 % only when every one made it', () => {
    expect(percent(3333, 3333)).toBe(100);
    expect(percent(3332, 3333)).toBe(99.9);
    expect(percent(0, 0)).toBe(100);
  });

  it('prints one line per scenario, skipped ones with their reason', () => {
    const text = formatTable([
      judge(
        { ...run(), tables: Object.fromEntries(COMPARED_TABLES.map((t) => [t.name, table(10, 'h')])) },
        null,
      ),
      judge({ ...run({ scenario: 'broker-pause', skipped: 'no broker process' }), tables: {} }, null),
    ]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toMatch(/^\| fetcher-kill +\| 10\/10 /);
    expect(lines[2]).toContain('| 1 (1) ');
    expect(lines[2]).toContain('| 12.5 ');
    expect(lines[3]).toContain('skipped: no broker process');
  });
});
