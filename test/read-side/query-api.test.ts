import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';
import request from 'supertest';
import { createTestDatabase, randomTopicPrefix, type TestDatabase } from '../harness';
import { adminTestConfig, startAdmin, TEST_API_KEY } from '../admin/admin-app';
import {
  insertHostawayRows,
  LISTING_ID,
  loadAirbnbFixtures,
  REVISED_SCRAPE_DATE,
  SCRAPE_DATE,
} from './support';

const ACCOUNT = '6001';

describe('read side > query and export API (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let app: NestExpressApplication;
  const get = (path: string) => request(app.getHttpServer()).get(path).set('X-API-Key', TEST_API_KEY);

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    await loadAirbnbFixtures(pool, ACCOUNT);
    await insertHostawayRows(pool, 10452);
    ({ app } = await startAdmin(
      adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: randomTopicPrefix() }),
    ));
  });
  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  it('JSON pages walk the latest snapshot of every day, and equal the table', async () => {
    const seen: Array<Record<string, unknown>> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: request.Response = await get(
        `/api/v1/airbnb/metrics/chart_query?account_id=${ACCOUNT}&listing_id=${LISTING_ID}&limit=10${cursor ? `&cursor=${cursor}` : ''}`,
      ).expect(200);
      seen.push(...res.body.items);
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(28);
    expect(seen.map((r) => r.metric_date)).toEqual([...seen.map((r) => r.metric_date as string)].sort());
    expect(new Set(seen.map((r) => r.time))).toEqual(new Set([REVISED_SCRAPE_DATE]));
    const { rows } = await pool.query<{ metric_date: string; p3: number }>(
      `SELECT metric_date::text, p3_impressions_your_value::float8 AS p3 FROM airbnb.chart_query WHERE account_id = $1 AND time = $2 ORDER BY metric_date`,
      [ACCOUNT, REVISED_SCRAPE_DATE],
    );
    expect(seen.map((r) => [r.metric_date, r.p3_impressions_your_value])).toEqual(
      rows.map((r) => [r.metric_date, r.p3]),
    );
    expect(seen.find((r) => r.metric_date === '2025-01-20')?.p3_impressions_your_value).toBe(999);
  });

  it('as_of shows the numbers as scraped that day; as_of=all both snapshots', async () => {
    const before = await get(
      `/api/v1/airbnb/metrics/chart_query?account_id=${ACCOUNT}&from=2025-01-20&to=2025-01-20&as_of=${SCRAPE_DATE}&metrics=p3_impressions`,
    ).expect(200);
    expect(before.body.items).toHaveLength(1);
    expect(before.body.items[0]).toMatchObject({ metric_date: '2025-01-20', time: SCRAPE_DATE });
    expect(before.body.items[0].p3_impressions_your_value).not.toBe(999);
    expect(Object.keys(before.body.items[0])).not.toContain('conversion_rate_your_value');
    const all = await get(
      `/api/v1/airbnb/metrics/chart_query?account_id=${ACCOUNT}&from=2025-01-20&to=2025-01-20&as_of=all`,
    ).expect(200);
    expect(all.body.items.map((r: { time: string }) => r.time)).toEqual([SCRAPE_DATE, REVISED_SCRAPE_DATE]);
  });

  it('CSV streams the whole result as a download with a header row', async () => {
    const res = await get(
      `/api/v1/airbnb/metrics/chart_query?account_id=${ACCOUNT}&format=csv&metrics=p3_impressions_your_value`,
    ).expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="chart_query.csv"');
    const lines = res.text.trimEnd().split('\r\n');
    // a column name selects itself and the columns it prefixes (its display string)
    expect(lines[0]).toBe(
      'account_id,time,airbnb_listing_id,airbnb_internal_name,metric_date,p3_impressions_your_value,p3_impressions_your_value_string,extra',
    );
    expect(lines).toHaveLength(29);
    expect(
      lines.filter(
        (l) =>
          l.startsWith(`${ACCOUNT},${REVISED_SCRAPE_DATE},${LISTING_ID},`) && l.includes(',2025-01-20,999,'),
      ),
    ).toHaveLength(1);
  });

  it('NDJSON list_of_metrics and chart_summary', async () => {
    // list_of_metrics was scraped once, the chart (and its summary) twice
    for (const [table, time] of [
      ['list_of_metrics', SCRAPE_DATE],
      ['chart_summary', REVISED_SCRAPE_DATE],
    ]) {
      const res = await get(`/api/v1/airbnb/metrics/${table}?account_id=${ACCOUNT}&format=ndjson`).expect(
        200,
      );
      expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      const rows = res.text
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ account_id: ACCOUNT, airbnb_listing_id: LISTING_ID, time });
    }
  });

  it('listings of both sources; Hostaway property secrets never in clear, in any format', async () => {
    const airbnb = await get(`/api/v1/airbnb/listings?account_id=${ACCOUNT}`).expect(200);
    expect(airbnb.body.items).toHaveLength(7);
    const listings = await get('/api/v1/hostaway/listings?account_id=10452').expect(200);
    expect(listings.body.items[0].raw_payload).toEqual({
      id: 501,
      name: 'Loft',
      wifiUsername: '***',
      wifiPassword: '***',
      doorSecurityCode: '***',
    });
    const page = await get(
      '/api/v1/hostaway/reservations?account_id=10452&status=new&from=2026-11-03&to=2026-11-05',
    ).expect(200);
    expect(page.body.items.map((r: { id: number }) => r.id)).toEqual([9002, 9004]);
    expect(page.body.items[0].raw_payload).toEqual({
      id: 9002,
      doorCode: '***',
      guestName: 'Guest 2',
      lockbox: '***',
    });
    for (const format of ['csv', 'ndjson']) {
      const res = await get(`/api/v1/hostaway/reservations?account_id=10452&format=${format}`).expect(200);
      expect(res.text).not.toMatch(/hunter2|77[0-9]|"B[0-9]/);
      expect(res.text).toContain('Guest 5');
    }
  });

  it('problems: unknown table 404, unknown metric and bad day 400 with field errors', async () => {
    const missing = await get('/api/v1/airbnb/metrics/bookings').expect(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const metric = await get('/api/v1/airbnb/metrics/chart_query?metrics=bookings').expect(400);
    expect(metric.body.errors).toEqual([
      { field: 'metrics', message: expect.stringContaining('unknown metric "bookings"') },
    ]);
    const day = await get('/api/v1/airbnb/metrics/chart_query?from=2025-02-30').expect(400);
    expect(day.body.errors[0].field).toBe('from');
    await get('/api/v1/airbnb/metrics/chart_query?cursor=abc').expect(400);
  });
});
