import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadEnvelopes } from '@staysync/pipeline';
import { Pool } from 'pg';
import request from 'supertest';
import { createTestDatabase, randomTopicPrefix, waitFor, type TestDatabase } from '../harness';
import { fixtureEnvelopes, snapshot } from '../loader/support';
import { adminTestConfig, startAdmin, TEST_API_KEY } from './admin-app';

const ACCOUNT = '4001';
const RANGE = { from: '2025-07-16T00:00:00Z', to: '2025-07-17T00:00:00Z' };

describe('admin > POST /api/v1/replays (PostgreSQL + broker)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let app: NestExpressApplication;
  const api = () => request(app.getHttpServer());
  const auth = { 'X-API-Key': TEST_API_KEY };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    ({ app } = await startAdmin(
      adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: randomTopicPrefix() }),
    ));
    await loadEnvelopes(pool, fixtureEnvelopes({ accountId: ACCOUNT }));
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  async function finished(id: string) {
    return waitFor(async () => {
      const { body } = await api().get(`/api/v1/replays/${id}`).set(auth).expect(200);
      return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
    });
  }

  it('rejects bad input with field messages, and unknown ids with 404', async () => {
    const bad = await api()
      .post('/api/v1/replays')
      .set(auth)
      .send({ source: 'vrbo', from: 'yesterday', to: RANGE.to, origin: 'disk' })
      .expect(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.detail).toContain('source');
    expect(bad.body.detail).toContain('from');
    expect(bad.body.detail).toContain('origin');
    const reversed = await api()
      .post('/api/v1/replays')
      .set(auth)
      .send({ source: 'airbnb', from: RANGE.to, to: RANGE.from, origin: 'store' })
      .expect(400);
    expect(reversed.body.detail).toBe('from must not be after to');
    await api().get('/api/v1/replays/00000000-0000-4000-8000-000000000000').set(auth).expect(404);
    await api()
      .post('/api/v1/replays')
      .send({ source: 'airbnb', ...RANGE, origin: 'store' })
      .expect(401);
  });

  it('re-parses the stored responses: the dry run reports the damaged row and writes nothing, the replay repairs it', async () => {
    const healthy = await snapshot(pool, ACCOUNT);
    // a row damaged after loading (as a parser bug would leave it)
    const damaged = await pool.query(
      `UPDATE airbnb.chart_query SET p3_impressions_your_value = -1
        WHERE account_id = $1 AND metric_date = (SELECT min(metric_date) FROM airbnb.chart_query WHERE account_id = $1)
        RETURNING airbnb_listing_id, metric_date::text`,
      [ACCOUNT],
    );
    expect(damaged.rowCount).toBe(1);
    const brokenSnapshot = await snapshot(pool, ACCOUNT);

    const dry = await api()
      .post('/api/v1/replays')
      .set(auth)
      .send({ source: 'airbnb', ...RANGE, account_id: ACCOUNT, origin: 'store', dry_run: true })
      .expect(202);
    expect(dry.headers.location).toBe(`/api/v1/replays/${dry.body.id}`);
    const dryDone = await finished(dry.body.id);
    expect(dryDone).toMatchObject({
      status: 'succeeded',
      dry_run: true,
      total: 3,
      processed: 3,
      report: { dryRun: true, responses: 3 },
    });
    expect(dryDone.report.rows['airbnb.chart_query']).toEqual({ added: 0, changed: 1, unchanged: 27 });
    expect(dryDone.report.samples['airbnb.chart_query'][0].changes).toMatchObject({
      p3_impressions_your_value: { old: -1 },
    });
    expect(await snapshot(pool, ACCOUNT)).toEqual(brokenSnapshot);

    const real = await api()
      .post('/api/v1/replays')
      .set(auth)
      .send({ source: 'airbnb', ...RANGE, account_id: ACCOUNT, origin: 'store' })
      .expect(202);
    expect(await finished(real.body.id)).toMatchObject({ status: 'succeeded', dry_run: false, processed: 3 });
    expect(await snapshot(pool, ACCOUNT)).toEqual(healthy);

    const list = await api().get('/api/v1/replays').set(auth).expect(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual([real.body.id, dry.body.id]);
  });
});
