import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { zeroRowsWarning } from '@staysync/db';
import { Pool } from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { createTestDatabase, createTestTopics, randomTopicPrefix, type TestDatabase } from '../harness';
import { adminTestConfig, startAdmin, TEST_API_KEY } from '../admin/admin-app';
import { LISTING_ID, loadAirbnbFixtures } from './support';

const ARTIFACTS = 'artifacts/ui';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ACCOUNT = '6001';
/** the page's globals, seen from the test (which is compiled without the DOM library) */
type BrowserGlobal = {
  sessionStorage: { getItem(key: string): string | null };
  staysyncCharts: Record<string, { data: Array<Array<number | null>> }>;
};

/**
 * The dashboard in headless Chromium (Debian's, driven by playwright-core) against a real admin over
 * PostgreSQL and the broker, with the recorded Airbnb fixtures loaded by the loader's own path, a
 * finished sync job and a Hostaway account. Screenshots go to artifacts/ui/.
 */
describe('read side > dashboard in headless Chromium', () => {
  let db: TestDatabase;
  let pool: Pool;
  let app: NestExpressApplication;
  let browser: Browser;
  let page: Page;
  let base: string;
  const jobId = randomUUID();
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    await loadAirbnbFixtures(pool, ACCOUNT);
    await pool.query(
      `INSERT INTO airbnb.accounts (account_id, airbnb_cookie, x_client_version, user_agent, last_sync_at) VALUES ($1, 'v1:k1:sealed', 'abc123', 'Mozilla/5.0 test', now() - interval '1 hour'),
              ('6002', 'v1:k1:sealed', 'abc123', 'Mozilla/5.0 test', NULL)`,
      [ACCOUNT],
    );
    await pool.query(
      `UPDATE airbnb.accounts SET status = 'needs_reauth', status_reason = 'cookie expired' WHERE account_id = '6002'`,
    );
    await pool.query(
      `INSERT INTO ops.sync_jobs (id, source, account_id, mode, trigger, status, planned, fetched, loaded, failed, progress, errors, started_at, finished_at)
       VALUES ($1, 'airbnb', $2, 'backfill', 'manual', 'succeeded', 3, 3, 3, 0, $3::jsonb, '[]'::jsonb, now() - interval '2 minutes', now())`,
      [
        jobId,
        ACCOUNT,
        JSON.stringify({
          ListingsSectionQuery: { planned: 1, fetched: 1, failed: 0 },
          [LISTING_ID]: { planned: 2, fetched: 2, failed: 0 },
        }),
      ],
    );
    const prefix = randomTopicPrefix();
    await createTestTopics(prefix);
    ({ app } = await startAdmin(adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix })));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    await request(app.getHttpServer())
      .post('/api/v1/hostaway/accounts')
      .set('X-API-Key', TEST_API_KEY)
      .send({ account_id: 10001, client_secret: 'client-secret-0123456789-abcdef' })
      .expect(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on(
      'console',
      (message) =>
        void (message.type() === 'error' && !message.text().includes('401') && problems.push(message.text())),
    );
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  const signIn = async (key: string) => {
    await page.goto(`${base}/ui/`);
    await page.fill('#api-key', key);
    await page.click('#login button[type=submit]');
  };

  it('signs in with the key (never put in the URL) and shows the accounts of every source with their status', async () => {
    await signIn(TEST_API_KEY);
    await page.waitForSelector('#accounts tbody tr');
    expect(page.url()).not.toContain(TEST_API_KEY);
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as BrowserGlobal).sessionStorage.getItem('staysync.apiKey'),
      ),
    ).toBe(TEST_API_KEY);
    const rows = await page.$$eval('#accounts tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-account'), tr.children[2].textContent]),
    );
    expect(rows).toEqual([
      ['airbnb:6001', 'active'],
      ['airbnb:6002', 'needs_reauth'],
      ['hostaway:10001', 'active'],
    ]);
    await shot('accounts');
  });

  it('shows a finished job, its notes (warnings marked) and its progress per listing', async () => {
    await pool.query(`UPDATE ops.sync_jobs SET notes = $2::jsonb WHERE id = $1`, [
      jobId,
      JSON.stringify([zeroRowsWarning(3)]),
    ]);
    await page.goto(`${base}/ui/#/jobs`);
    await page.waitForSelector(`#jobs tr[data-job="${jobId}"]`);
    expect(await page.getAttribute(`#jobs tr[data-job="${jobId}"]`, 'data-status')).toBe('succeeded');
    await page.click(`#jobs tr[data-job="${jobId}"] a`);
    await page.waitForSelector('#job-status[data-status="succeeded"]');
    const resources = await page.$$eval('#job-progress tbody tr', (trs) =>
      trs.map((tr) => tr.children[0].textContent),
    );
    expect(resources.sort()).toEqual([LISTING_ID, 'ListingsSectionQuery'].sort());
    expect(await page.$$eval('.job-note', (ps) => ps.map((p) => [p.className, p.textContent]))).toEqual([
      ['warning job-note', zeroRowsWarning(3)],
    ]);
    await shot('job');
  });

  it('plots the listing’s daily page views exactly as the API returns them, and overlays an earlier scrape', async () => {
    await page.goto(`${base}/ui/#/listing?listing=${ACCOUNT}:${LISTING_ID}&compare=2025-07-16`);
    await page.waitForSelector('#chart-page-views canvas');
    await page.waitForSelector('#list-of-metrics tbody tr');
    const plotted = await page.evaluate(() => {
      const chart = (globalThis as unknown as BrowserGlobal).staysyncCharts.pageViews;
      return chart.data.map((series) => [...series]);
    });
    const { body } = await request(app.getHttpServer())
      .get(`/api/v1/airbnb/metrics/chart_query?account_id=${ACCOUNT}&listing_id=${LISTING_ID}&limit=500`)
      .set('X-API-Key', TEST_API_KEY)
      .expect(200);
    const earlier = await request(app.getHttpServer())
      .get(
        `/api/v1/airbnb/metrics/chart_query?account_id=${ACCOUNT}&listing_id=${LISTING_ID}&limit=500&as_of=2025-07-16`,
      )
      .set('X-API-Key', TEST_API_KEY)
      .expect(200);
    const rows = body.items as Array<{
      metric_date: string;
      p3_impressions_your_value: number;
      p3_impressions_similar_value: number;
    }>;
    expect(rows).toHaveLength(28);
    expect(plotted[0]).toEqual(rows.map((r) => Date.parse(`${r.metric_date}T00:00:00Z`) / 1000));
    expect(plotted[1]).toEqual(rows.map((r) => r.p3_impressions_your_value));
    expect(plotted[2]).toEqual(rows.map((r) => r.p3_impressions_similar_value));
    expect(plotted[3]).toEqual(
      earlier.body.items.map((r: { p3_impressions_your_value: number }) => r.p3_impressions_your_value),
    );
    expect(plotted[1]).toContain(999);
    expect(plotted[3]).not.toContain(999);
    await shot('listing');
  });

  it('starts a replay dry run from the page and shows its report', async () => {
    await page.goto(`${base}/ui/#/replays`);
    await page.waitForSelector('#replay-form');
    await page.fill('#replay-form input[name=account_id]', ACCOUNT);
    await page.click('#replay-form button[type=submit]');
    await page.waitForSelector('#replay-status[data-status="succeeded"][data-dry-run="true"]', {
      timeout: 60_000,
    });
    const report = JSON.parse((await page.textContent('#replay-report-json'))!);
    const { body } = await request(app.getHttpServer())
      .get('/api/v1/replays')
      .set('X-API-Key', TEST_API_KEY)
      .expect(200);
    expect(body.items[0]).toMatchObject({ dry_run: true, status: 'succeeded', account_id: ACCOUNT });
    expect(report).toEqual(body.items[0].report);
    const perTable = await page.$$eval('#replay-report tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((td) => td.textContent)),
    );
    expect(perTable).toEqual(
      Object.entries(
        report.rows as Record<string, { added: number; changed: number; unchanged: number }>,
      ).map(([table, t]) => [table, String(t.added), String(t.changed), String(t.unchanged)]),
    );
    expect(perTable.find((row) => row[0] === 'airbnb.chart_query')).toEqual([
      'airbnb.chart_query',
      '0',
      '1',
      '55',
    ]);
    expect(await page.isVisible('#replay-run')).toBe(true);
    await shot('replay-dry-run');
  });

  it('a wrong key shows the login again', async () => {
    await page.click('#logout');
    await signIn('wrong-key-0000000000000000');
    await page.waitForSelector('#login:not([hidden]) #login-error:has-text("not accepted")');
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as BrowserGlobal).sessionStorage.getItem('staysync.apiKey'),
      ),
    ).toBeNull();
    expect(await page.isVisible('#nav')).toBe(false);
    await shot('login-rejected');
  });
});
