import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { buildQuery, type QueryFilters } from '../../apps/admin/src/query/query-sql';
import { readTable, type QueryTable } from '../../apps/admin/src/query/query-tables';
import { createTestDatabase, type TestDatabase } from '../harness';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

/**
 * The read API's main queries, built by the API's own SQL builder, on tables with enough rows
 * (ANALYZEd) that the planner has a real choice: each must be served by the index named in
 * docs/read-side.md, never by a sequential scan. The plans are written to artifacts/read-side/plans.txt.
 */
describe('read side > query plans (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const report: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 1 });
    // 40 accounts × 10 listings × 365 days × 2 scrape days of chart rows; windows weekly
    await pool.query(`
      INSERT INTO airbnb.chart_query (account_id, time, airbnb_listing_id, metric_date, p3_impressions_your_value, p3_impressions_similar_value)
      SELECT a::text, DATE '2026-11-20' + s, (a * 100 + l)::text, DATE '2025-11-20' + d, d, d * 2
        FROM generate_series(1, 40) a, generate_series(1, 10) l, generate_series(0, 364) d, generate_series(0, 1) s`);
    await pool.query(`
      INSERT INTO airbnb.list_of_metrics (account_id, time, airbnb_listing_id, window_start, window_end, conversion_rate_value)
      SELECT a::text, DATE '2026-11-20', (a * 100 + l)::text, DATE '2025-11-20' + w * 7, DATE '2025-11-26' + w * 7, 0.01 * w
        FROM generate_series(1, 40) a, generate_series(1, 10) l, generate_series(0, 51) w`);
    await pool.query(`
      INSERT INTO hostaway.reservations (id, account_id, listing_id, status, arrival_date, raw_payload, observed_at)
      SELECT n, n % 200, n % 4000, CASE WHEN n % 3 = 0 THEN 'cancelled' ELSE 'new' END, DATE '2024-01-01' + (n % 1000), '{}', now()
        FROM generate_series(1, 200000) n`);
    await pool.query(`
      INSERT INTO hostaway.messages (id, account_id, reservation_id, sent_at, status, raw_payload, observed_at)
      SELECT n, n % 200, n % 50000, TIMESTAMPTZ '2024-01-01' + n * interval '7 minutes', 'sent', '{}', now()
        FROM generate_series(1, 200000) n`);
    await pool.query('ANALYZE');
  }, 180_000);
  afterAll(async () => {
    mkdirSync('artifacts/read-side', { recursive: true });
    writeFileSync(join('artifacts/read-side', 'plans.txt'), report.join('\n'));
    await pool?.end();
    await db?.drop();
  });

  const cases: Array<[string, QueryTable, QueryFilters, { limit: number } | undefined, string]> = [
    [
      'chart page: account + listing + days (dashboard)',
      readTable('chart_query'),
      { accountId: '7', listingIds: ['705'], from: '2026-01-01', to: '2026-03-31' },
      { limit: 501 },
      'uq_chart_query_listing_metric_date',
    ],
    [
      'chart export: one account, latest snapshots',
      readTable('chart_query'),
      { accountId: '7' },
      undefined,
      'uq_chart_query_listing_metric_date',
    ],
    [
      'chart export: one week, every account',
      readTable('chart_query'),
      { from: '2026-02-01', to: '2026-02-07' },
      undefined,
      'ix_chart_query_metric_date',
    ],
    [
      'chart as_of: listing as scraped on a day',
      readTable('chart_query'),
      { accountId: '7', listingIds: ['705'], asOf: '2026-11-20' },
      { limit: 51 },
      'uq_chart_query_listing_metric_date',
    ],
    [
      'list_of_metrics page: account + listing',
      readTable('list_of_metrics'),
      { accountId: '7', listingIds: ['705'] },
      { limit: 51 },
      'uq_list_of_metrics_listing_window',
    ],
    [
      'reservations page: account + status',
      readTable('hostaway_reservations'),
      { accountId: '17', status: 'new' },
      { limit: 51 },
      'ix_hostaway_reservations_account_id',
    ],
    [
      'reservations export: arrival days',
      readTable('hostaway_reservations'),
      { from: '2024-03-01', to: '2024-03-03' },
      undefined,
      'ix_hostaway_reservations_arrival',
    ],
    [
      'reservations page: listing',
      readTable('hostaway_reservations'),
      { listingIds: ['17'] },
      { limit: 51 },
      'ix_hostaway_reservations_listing_arrival',
    ],
    [
      'messages page: account + sent days',
      readTable('hostaway_messages'),
      { accountId: '17', from: '2024-02-01', to: '2024-02-02' },
      { limit: 51 },
      'ix_hostaway_messages_sent',
    ],
    [
      'messages export: account',
      readTable('hostaway_messages'),
      { accountId: '17' },
      undefined,
      'ix_hostaway_messages_account_id',
    ],
  ];

  it.each(cases)('%s uses its index', async (title, table, filters, page, index) => {
    const query = buildQuery(table, filters, page);
    const { rows } = await pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
      `EXPLAIN (FORMAT JSON) ${query.text}`,
      query.values,
    );
    const plan = nodes(rows[0]['QUERY PLAN'][0].Plan);
    const text = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${query.text}`, query.values);
    report.push(`-- ${title}\n${query.text}\n${text.rows.map((r) => r['QUERY PLAN']).join('\n')}\n`);
    expect(plan.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
    expect(plan.map((n) => n['Index Name']).filter(Boolean)).toContain(index);
  });
});
