import type { NestExpressApplication } from '@nestjs/platform-express';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import request from 'supertest';
import {
  createTestDatabase,
  createTestTopics,
  randomGroupId,
  randomTopicPrefix,
  testBrokers,
  waitFor,
  type TestDatabase,
} from '../harness';
import { adminTestConfig, startAdmin, TEST_API_KEY, type CapturedLogs } from './admin-app';

/**
 * Admin accounts API on a real PostgreSQL and a real Kafka-protocol broker:
 * CRUD, pagination, soft/hard delete, error paths, outbox → accounts.events.v1, secrets never leaking.
 */
describe('Admin > Airbnb accounts API', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let logs: CapturedLogs;
  let sql: Client;
  let consumer: Consumer;
  const prefix = randomTopicPrefix();
  const events: Array<{ key: string; value: Record<string, unknown>; raw: string }> = [];
  const rawTopicValues: string[] = [];

  const api = () => request(app.getHttpServer());
  const auth = { 'X-API-Key': TEST_API_KEY };
  const cookieFor = (id: string) =>
    `_airbed_session_id=session-secret-${id}; _aat=aat-secret-${id}; _user_attributes=${encodeURIComponent(JSON.stringify({ curr: 'USD', id_str: id, id: Number(id) }))}; ak_bmsc=akamai-noise; _ga=analytics`;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const kafka = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({
      groupId: randomGroupId('admin-events'),
      sessionTimeout: 6000,
      heartbeatInterval: 500,
    });
    await consumer.connect();
    await createTestTopics(prefix);
    await consumer.subscribe({
      topics: [`${prefix}accounts.events.v1`, `${prefix}sync.commands.v1`],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const raw = message.value!.toString();
        rawTopicValues.push(raw);
        if (topic.endsWith('accounts.events.v1'))
          events.push({ key: message.key!.toString(), value: JSON.parse(raw), raw });
      },
    });
    ({ app, logs } = await startAdmin(adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix })));
  });

  afterAll(async () => {
    await app?.close();
    await consumer?.disconnect();
    await sql?.end();
    await db?.drop();
  });

  it('keeps /health, /ready and /metrics public and everything else behind an API key', async () => {
    await api().get('/health').expect(200, { status: 'ok' });
    const ready = await api().get('/ready').expect(200);
    expect(ready.body.checks).toMatchObject({ database: { status: 'up' }, kafka: { status: 'up' } });
    const metrics = await api().get('/metrics').expect(200);
    expect(metrics.text).toContain('http_requests_total');
    expect(metrics.text).toContain('db_pool_connections');

    const missing = await api().get('/api/v1/airbnb/accounts').expect(401);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    await api().get('/api/v1/airbnb/accounts').set('X-API-Key', 'wrong-key-wrong-key-wrong').expect(401);
    await api().get('/api/v1/airbnb/accounts').set('Authorization', `Bearer ${TEST_API_KEY}`).expect(200);
  });

  it('creates an account from a cookie (id derived), never echoing the cookie, and updates it on a second POST', async () => {
    const cookie = cookieFor('100000001');
    const created = await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .set('X-Request-Id', 'req-create-1')
      .send({ cookie, x_client_version: 'abc123', user_agent: 'Mozilla/5.0 test' })
      .expect(201);
    expect(created.headers['x-request-id']).toBe('req-create-1');
    expect(created.headers.location).toBe('/api/v1/airbnb/accounts/100000001');
    expect(created.body).toMatchObject({
      account_id: '100000001',
      is_active: true,
      status: 'active',
      credentials: { cookie_set: true },
    });
    expect(JSON.stringify(created.body)).not.toContain('_airbed_session_id');

    const updated = await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .send({ cookie, x_client_version: 'abc124', user_agent: 'Mozilla/5.0 test', account_id: '100000001' })
      .expect(200);
    expect(updated.body.x_client_version).toBe('abc124');

    const stored = await sql.query('SELECT airbnb_cookie FROM airbnb.accounts WHERE account_id = $1', [
      '100000001',
    ]);
    expect(stored.rows[0].airbnb_cookie).toMatch(/^v1:k1:/);
    expect(stored.rows[0].airbnb_cookie).not.toContain('_user_attributes');

    // the first backfill is queued with the account
    const jobs = await api().get('/api/v1/jobs?account_id=100000001').set(auth).expect(200);
    expect(jobs.body.items).toHaveLength(1);
    expect(jobs.body.items[0]).toMatchObject({ mode: 'backfill', status: 'queued', trigger: 'startup' });
  });

  it('answers 400 with field messages for bad bodies, unknown fields and underivable ids', async () => {
    const bad = await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .send({ cookie: '', user_agent: 5, extra: 1 })
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = (bad.body.errors as Array<{ field: string }>).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['cookie', 'user_agent', 'x_client_version', 'extra']));

    const underivable = await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .send({ cookie: '_aat=only-auth', x_client_version: 'v', user_agent: 'ua' })
      .expect(400);
    expect(underivable.body.detail).toMatch(/cannot be derived from the cookie/);

    const mismatch = await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .send({
        cookie: cookieFor('100000009'),
        x_client_version: 'v',
        user_agent: 'ua',
        account_id: '100000008',
      })
      .expect(400);
    expect(mismatch.body.errors).toEqual([{ field: 'account_id', message: 'does not match the cookie' }]);

    await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .set('Content-Type', 'application/json')
      .send('{"cookie":')
      .expect(400);
  });

  it('rejects oversized bodies with 413', async () => {
    const res = await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .send({ cookie: 'x'.repeat(70 * 1024), x_client_version: 'v', user_agent: 'ua' })
      .expect(413);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('pages through accounts with a cursor and filters active ones', async () => {
    for (const id of ['200000001', '200000002', '200000003', '200000004']) {
      await api()
        .post('/api/v1/airbnb/accounts')
        .set(auth)
        .send({ cookie: cookieFor(id), x_client_version: 'v', user_agent: 'ua' })
        .expect(201);
    }
    await api().patch('/api/v1/airbnb/accounts/200000002').set(auth).send({ is_active: false }).expect(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: request.Response = await api()
        .get('/api/v1/airbnb/accounts')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(auth)
        .expect(200);
      seen.push(...page.body.items.map((a: { account_id: string }) => a.account_id));
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(['100000001', '200000001', '200000002', '200000003', '200000004']);
    expect(pages).toBe(3);

    const active = await api().get('/api/v1/airbnb/accounts?active_only=true&limit=50').set(auth).expect(200);
    expect(active.body.items.map((a: { account_id: string }) => a.account_id)).not.toContain('200000002');
    await api().get('/api/v1/airbnb/accounts?cursor=bogus').set(auth).expect(400);
    await api().get('/api/v1/airbnb/accounts?limit=0').set(auth).expect(400);
  });

  it('answers 404 for unknown accounts, sources and jobs', async () => {
    const unknownSource = await api().get('/api/v1/nosuchsource/accounts').set(auth).expect(404);
    expect(unknownSource.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(unknownSource.body).toMatchObject({ status: 404, title: 'Not Found' });
    await api().post('/api/v1/nosuchsource/accounts').set(auth).send({}).expect(404);
    const missing = await api().get('/api/v1/airbnb/accounts/999').set(auth).expect(404);
    expect(missing.body.detail).toBe('airbnb account 999 does not exist');
    await api().patch('/api/v1/airbnb/accounts/999').set(auth).send({ is_active: false }).expect(404);
    await api().delete('/api/v1/airbnb/accounts/999').set(auth).expect(404);
    await api().post('/api/v1/airbnb/accounts/999/sync').set(auth).send({}).expect(404);
    await api().get('/api/v1/jobs/6f1c1f4e-8a53-4b39-9a53-0e4d4f0a0001').set(auth).expect(404);
  });

  it('queues a sync as a job with a Location, and returns the unfinished job instead of a second one', async () => {
    // the backfill queued at creation is still unfinished: a manual sync gets it back
    const first = await api().post('/api/v1/airbnb/accounts/200000003/sync').set(auth).send({}).expect(200);
    expect(first.body.created).toBe(false);
    await sql.query(`UPDATE ops.sync_jobs SET status = 'succeeded' WHERE account_id = '200000003'`);

    const queued = await api()
      .post('/api/v1/airbnb/accounts/200000003/sync')
      .set(auth)
      .send({ mode: 'incremental' })
      .expect(202);
    expect(queued.headers.location).toBe(`/api/v1/jobs/${queued.body.job_id}`);
    const job = await api().get(queued.headers.location).set(auth).expect(200);
    expect(job.body).toMatchObject({
      id: queued.body.job_id,
      status: 'queued',
      mode: 'incremental',
      trigger: 'manual',
      account_id: '200000003',
    });

    const again = await api().post('/api/v1/airbnb/accounts/200000003/sync').set(auth).send({}).expect(200);
    expect(again.body.job_id).toBe(queued.body.job_id);

    const listed = await api().get('/api/v1/jobs?account_id=200000003&status=queued').set(auth).expect(200);
    expect(listed.body.items.map((j: { id: string }) => j.id)).toEqual([queued.body.job_id]);
  });

  it('soft-deletes (hidden, data kept) and hard-deletes (account and data gone)', async () => {
    await api().delete('/api/v1/airbnb/accounts/200000004').set(auth).expect(204);
    await api().get('/api/v1/airbnb/accounts/200000004').set(auth).expect(404);
    const soft = await sql.query('SELECT deleted_at, is_active FROM airbnb.accounts WHERE account_id = $1', [
      '200000004',
    ]);
    expect(soft.rows[0].deleted_at).not.toBeNull();
    expect(soft.rows[0].is_active).toBe(false);

    await sql.query(
      `INSERT INTO airbnb.chart_query (account_id, time, airbnb_listing_id, metric_date, p3_impressions_your_value) VALUES ('200000001', '2025-07-16', '1', '2025-07-01', 5)`,
    );
    await api().delete('/api/v1/airbnb/accounts/200000001?hard=true').set(auth).expect(204);
    const gone = await sql.query(
      `SELECT (SELECT count(*) FROM airbnb.accounts WHERE account_id = '200000001')::int AS accounts,
              (SELECT count(*) FROM airbnb.chart_query WHERE account_id = '200000001')::int AS rows,
              (SELECT count(*) FROM ops.sync_jobs WHERE account_id = '200000001')::int AS jobs`,
    );
    expect(gone.rows[0]).toEqual({ accounts: 0, rows: 0, jobs: 0 });
  });

  it('publishes every account change on accounts.events.v1 in order, keyed source:accountId, without secrets', async () => {
    await waitFor(() => events.filter((e) => e.key === 'airbnb:200000001').length >= 2, {
      what: 'events of 200000001',
    });
    expect(events.filter((e) => e.key === 'airbnb:200000001').map((e) => e.value.type)).toEqual([
      'created',
      'deleted',
    ]);
    await waitFor(() => events.filter((e) => e.key === 'airbnb:100000001').length >= 2, {
      what: 'events of 100000001',
    });
    expect(events.filter((e) => e.key === 'airbnb:100000001').map((e) => e.value.type)).toEqual([
      'created',
      'updated',
    ]);
    await waitFor(() => events.some((e) => e.key === 'airbnb:200000002' && e.value.type === 'deactivated'), {
      what: 'deactivated event',
    });
    // different keys may sit on different partitions: wait for this one rather than assume its order
    const deleted = await waitFor(
      () => events.find((e) => e.key === 'airbnb:200000004' && e.value.type === 'deleted'),
      { what: 'deleted event' },
    );
    expect(deleted.value).toMatchObject({
      source: 'airbnb',
      accountId: '200000004',
      account: { isActive: false },
    });
  });

  it('never lets the cookie reach a response, a log line or a topic value', async () => {
    await waitFor(() => rawTopicValues.length >= 10, { what: 'topic values' });
    const secretParts = ['_airbed_session_id', 'aat-secret', 'session-secret'];
    for (const part of secretParts) {
      expect(logs.text()).not.toContain(part);
      for (const value of rawTopicValues) expect(value).not.toContain(part);
    }
    const all = await api().get('/api/v1/airbnb/accounts?limit=500').set(auth).expect(200);
    for (const part of secretParts) expect(all.text).not.toContain(part);
    expect(logs.lines.length).toBeGreaterThan(5);
    expect(logs.lines.some((l) => l.includes('"requestId":"req-create-1"'))).toBe(true);
  });
});
