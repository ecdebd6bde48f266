/**
 * What a chaos run measures, and how it is judged and printed. Pure: the SQL text and the verdicts
 * take values, not connections.
 */

/** A table the loader writes, and the columns that differ between two correct runs (left out of its hash). */
export interface ComparedTable {
  name: string;
  table: string;
  /** ingestion timestamps and the job that fetched the row: a correct rerun changes them */
  volatile: string[];
}

export const COMPARED_TABLES: ComparedTable[] = [
  { name: 'listings', table: 'airbnb.listings', volatile: ['created_at', 'updated_at'] },
  { name: 'chart_query', table: 'airbnb.chart_query', volatile: [] },
  { name: 'list_of_metrics', table: 'airbnb.list_of_metrics', volatile: [] },
  { name: 'chart_summary', table: 'airbnb.chart_summary', volatile: [] },
  {
    name: 'raw_responses',
    table: 'airbnb.raw_responses',
    volatile: ['fetched_at', 'job_id', 'parsed_at', 'stored_at'],
  },
];

/**
 * One query per table: its rows (`rows`), its distinct contents without the volatile columns
 * (`stored`: a response fetched twice is two raw rows under two fetched_at but one content), and an
 * order-independent hash of those contents (md5 over the sorted md5s of each row's jsonb text, whose
 * key order jsonb fixes). Rows of `$1` (accounts left out, e.g. the poison's) are not counted.
 */
export function tableFiguresSql(t: ComparedTable): string {
  const without = t.volatile.length > 0 ? ` - '{${t.volatile.join(',')}}'::text[]` : '';
  return `SELECT count(*)::int AS rows, count(DISTINCT h)::int AS stored, md5(coalesce(string_agg(DISTINCT h, ',' ORDER BY h), '')) AS hash
            FROM (SELECT md5((to_jsonb(t)${without})::text) AS h FROM ${t.table} t WHERE account_id <> ALL($1::text[])) s`;
}

export interface TableFigures {
  expected: number;
  stored: number;
  rows: number;
  hash: string;
}

export type DeadLetterStage = 'decode' | 'validate' | 'parse';

export interface PoisonFigures {
  /** produced per kind, each named by the stage that must dead-letter it */
  produced: Record<DeadLetterStage, number>;
  /** DLQ letters of the poison, by the stage that wrote them */
  dead_lettered: Record<string, number>;
  /** per kind: its letters at its own stage ÷ produced, in % */
  percent: Record<DeadLetterStage, number>;
  /** parse poison kept in the raw store (unparsed, for a replay with a fixed parser): every one */
  kept_in_raw_store: number;
}

export interface RunFigures {
  scenario: string;
  fault: string;
  skipped?: string;
  /** per account, the UTC day its job was claimed on: what the plan and the data depend on */
  scrape_days: Record<string, string>;
  tables: Record<string, TableFigures & { equals_clean: boolean | null }>;
  /** every table holds what the plan expects and the clean run's content */
  identical: boolean | null;
  /**
   * GraphQL calls the simulator answered vs the plan (session preflight pages apart). The bound: what a
   * fetcher can lose to a kill, per account in work, the responses of one Kafka send it holds (one at
   * pacing ≥ 250 ms: the request in flight); 0 for the clean run.
   */
  upstream: {
    planned: number;
    calls: number;
    duplicates: number;
    duplicate_bound: number;
    preflight: number;
  };
  /** fault end (the last fault action done: process back up, broker resumed, …) → every job finished */
  recovery_s: number | null;
  /** first job queued → last job finished (null while a job is stuck) */
  sync_s: number | null;
  /** sync_s minus the clean run's: what the fault cost */
  delay_s: number | null;
  jobs: { total: number; succeeded: number; failed: number; stuck: number };
  died: Array<{ service: string; status: number | null }>;
  /** processes signalled on purpose and how they exited (SIGTERM: GRACEFUL_EXIT) */
  signalled: Array<{ service: string; signal: string; status: number | null }>;
  poison?: PoisonFigures;
  duration_s: number;
  ok: boolean;
}

/**
 * A service's exit status after its shutdown hooks ran: Nest re-raises the signal once they are done
 * (128 + 15), a plain exit is 0; the shutdown timeout exits 1 and the tether's SIGKILL shows as 137.
 */
export const GRACEFUL_EXIT = [0, 143];

/** The clean run scraped on the same day per account as `run`, if there is one: the only fair comparison. */
export function cleanRunOnSameDays<T extends Pick<RunFigures, 'scrape_days'>>(
  cleanRuns: T[],
  run: Pick<RunFigures, 'scrape_days'>,
): T | undefined {
  const days = (r: Pick<RunFigures, 'scrape_days'>) => JSON.stringify(Object.entries(r.scrape_days).sort());
  return cleanRuns.find((clean) => days(clean) === days(run));
}

/** The run's figures against the clean run's hashes; `ok` when every "done when" figure holds. */
export function judge(
  run: Omit<RunFigures, 'identical' | 'ok' | 'delay_s'>,
  clean: Pick<RunFigures, 'tables' | 'sync_s'> | null,
): RunFigures {
  const tables = Object.fromEntries(
    Object.entries(run.tables).map(([name, t]) => [
      name,
      { ...t, equals_clean: clean ? clean.tables[name]?.hash === t.hash : null },
    ]),
  );
  const delay_s =
    clean?.sync_s != null && run.sync_s !== null ? Math.round((run.sync_s - clean.sync_s) * 10) / 10 : null;
  const values = Object.values(tables);
  const identical = run.skipped
    ? null
    : values.every((t) => t.stored === t.expected && t.equals_clean !== false);
  const poisonOk =
    !run.poison ||
    (Object.values(run.poison.percent).every((p) => p === 100) &&
      run.poison.kept_in_raw_store === run.poison.produced.parse);
  const gracefulOk = run.signalled.every(
    (s) => s.signal !== 'SIGTERM' || GRACEFUL_EXIT.includes(s.status ?? -1),
  );
  const ok =
    run.skipped !== undefined ||
    (identical === true &&
      run.jobs.stuck === 0 &&
      run.jobs.failed === 0 &&
      run.died.length === 0 &&
      run.upstream.duplicates >= 0 &&
      run.upstream.duplicates <= run.upstream.duplicate_bound &&
      poisonOk &&
      gracefulOk);
  return { ...run, tables, identical, delay_s, ok };
}

/** Percent with one decimal, 100 only when every one made it. */
export function percent(part: number, whole: number): number {
  if (whole === 0) return 100;
  return part === whole ? 100 : Math.floor((part / whole) * 1000) / 10;
}

/** The human table (stderr): one line per scenario. */
export function formatTable(runs: RunFigures[]): string {
  const tableNames = COMPARED_TABLES.map((t) => t.name);
  const header = [
    'scenario',
    ...tableNames.map((n) => `${n} stored/expected`),
    'same as clean',
    'dup calls (≤)',
    'recovery s',
    'sync s (vs clean)',
    'stuck',
    'died',
    'poison DLQ decode/validate/parse',
    'ok',
  ];
  const rows = runs.map((r) => {
    if (r.skipped)
      return [
        r.scenario,
        ...tableNames.map(() => '—'),
        '—',
        '—',
        '—',
        '—',
        '—',
        '—',
        '—',
        `skipped: ${r.skipped}`,
      ];
    return [
      r.scenario,
      ...tableNames.map((n) => `${r.tables[n].stored}/${r.tables[n].expected}`),
      r.identical === null
        ? '—'
        : r.identical && Object.values(r.tables).every((t) => t.equals_clean !== false)
          ? 'yes'
          : `no (${Object.entries(r.tables)
              .filter(([, t]) => t.equals_clean === false || t.stored !== t.expected)
              .map(([n]) => n)
              .join(', ')})`,
      `${r.upstream.duplicates} (${r.upstream.duplicate_bound})`,
      r.recovery_s === null ? '—' : r.recovery_s.toFixed(1),
      r.sync_s === null
        ? '—'
        : `${r.sync_s.toFixed(1)}${r.delay_s === null ? '' : ` (${r.delay_s >= 0 ? '+' : ''}${r.delay_s.toFixed(1)})`}`,
      String(r.jobs.stuck),
      r.died.length === 0 ? '0' : r.died.map((d) => `${d.service}(${d.status})`).join(' '),
      r.poison ? `${r.poison.percent.decode}/${r.poison.percent.validate}/${r.poison.percent.parse} %` : '—',
      r.ok ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
