/**
 * Heap growth of the admin while it streams a large export (run by export-memory.test.ts, or by hand):
 *
 *   DATABASE_URL=postgres://…/<migrated db> KAFKA_BROKERS=… node --expose-gc -r @swc-node/register test/read-side/export-memory.ts [rows]
 *
 * Fills airbnb.chart_query with `rows` rows (default 1,000,000) if it has fewer, starts the admin in this
 * process, downloads GET /api/v1/airbnb/metrics/chart_query?format=csv over HTTP and prints one JSON line:
 * rows and bytes received, the heap after a full GC before the export, the largest heap seen while it
 * ran (sampled every 20 ms, garbage included), and the largest heap left after a full GC during it.
 */
import 'reflect-metadata';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { loadAdminConfig } from '@staysync/config';
import { createAdminApp } from '../../apps/admin/src/bootstrap';

const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

async function fill(url: string, rows: number): Promise<void> {
  const pool = new Pool({ connectionString: url, max: 1 });
  const { rows: count } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM airbnb.chart_query`,
  );
  if (count[0].n < rows) {
    // 1000 listings × ceil(rows / 1000) days, one snapshot each
    await pool.query(
      `INSERT INTO airbnb.chart_query (account_id, time, airbnb_listing_id, airbnb_internal_name, metric_date,
              conversion_rate_your_value, conversion_rate_similar_value, p3_impressions_your_value, p3_impressions_similar_value)
       SELECT (1000 + l / 10)::text, DATE '2026-11-20', (50000000 + l)::text, 'Listing ' || l, DATE '2020-01-01' + d, 0.01 * (d % 7), 0.02, d, d * 2
         FROM generate_series(0, 999) l, generate_series(0, ceil($1::float8 / 1000)::int - 1) d
        LIMIT $1`,
      [rows],
    );
    await pool.query('VACUUM ANALYZE airbnb.chart_query');
  }
  await pool.end();
}

function download(url: string, apiKey: string): Promise<{ bytes: number; lines: number }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'X-API-Key': apiKey } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
      let bytes = 0;
      let lines = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      });
      res.on('end', () => resolve({ bytes, lines }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function main(): Promise<void> {
  if (!gc) throw new Error('run with node --expose-gc');
  const rows = Number(process.argv[2] ?? 1_000_000);
  const databaseUrl = process.env.DATABASE_URL!;
  await fill(databaseUrl, rows);
  const apiKey = randomBytes(16).toString('hex');
  const config = loadAdminConfig({
    ...process.env,
    ADMIN_API_KEYS: `memory:${apiKey}`,
    CREDENTIALS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    SCHEDULER_ENABLED: 'false',
    LOG_LEVEL: 'warn',
  });
  const app = await createAdminApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;

  gc();
  const baseline = process.memoryUsage().heapUsed;
  let peak = baseline;
  let peakAfterGc = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 20);
  const collector = setInterval(() => {
    gc();
    peakAfterGc = Math.max(peakAfterGc, process.memoryUsage().heapUsed);
  }, 1000);
  const started = Date.now();
  const { bytes, lines } = await download(
    `http://127.0.0.1:${port}/api/v1/airbnb/metrics/chart_query?format=csv`,
    apiKey,
  );
  const durationMs = Date.now() - started;
  clearInterval(sampler);
  clearInterval(collector);
  await app.close();
  const round = (n: number) => Math.round((n / MB) * 10) / 10;
  console.log(
    JSON.stringify({
      rows: lines - 1,
      bytes,
      durationMs,
      heapBaselineMB: round(baseline),
      heapPeakMB: round(peak),
      heapPeakGrowthMB: round(peak - baseline),
      heapRetainedGrowthMB: round(peakAfterGc - baseline),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
