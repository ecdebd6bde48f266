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

const SECRET = 'client-secret-0123456789-abcdef';
const WEBHOOK = { login: 'hostaway-hooks', password: 'webhook-password-0123456789' };
const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

describe('admin > Hostaway accounts and webhooks (PostgreSQL + broker)', () => {
  const prefix = randomTopicPrefix();
  let db: TestDatabase;
  let sql: Client;
  let app: NestExpressApplication;
  let logs: CapturedLogs;
  let consumer: Consumer;
  const raw: Array<{ key: string; value: string }> = [];
  const api = () => request(app.getHttpServer());
  const auth = { 'X-API-Key': TEST_API_KEY };

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const kafka = new Kafka({ brokers: testBrokers(), logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({
      groupId: randomGroupId('hostaway-raw'),
      sessionTimeout: 6000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
    });
    await consumer.connect();
    await createTestTopics(prefix);
    await consumer.subscribe({
      topics: [`${prefix}raw.hostaway.v1`, `${prefix}sync.commands.v1`, `${prefix}accounts.events.v1`],
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) =>
        void (
          topic.endsWith('raw.hostaway.v1') &&
          raw.push({ key: message.key!.toString(), value: message.value!.toString() })
        ),
    });
    ({ app, logs } = await startAdmin(adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix })));
  });

  afterAll(async () => {
    await app?.close();
    await consumer?.disconnect();
    await sql?.end();
    await db?.drop();
  });

  it('creates an account with encrypted secrets and a queued full sync; never shows a secret', async () => {
    const created = await api()
      .post('/api/v1/hostaway/accounts')
      .set(auth)
      .send({
        account_id: 10001,
        client_secret: SECRET,
        webhook_login: WEBHOOK.login,
        webhook_password: WEBHOOK.password,
      })
      .expect(201);
    expect(created.headers.location).toBe('/api/v1/hostaway/accounts/10001');
    expect(created.body).toMatchObject({
      account_id: 10001,
      is_active: true,
      credentials: { client_secret_set: true, access_token_cached: false },
      webhook: { login: WEBHOOK.login, password_set: true },
    });
    const shown =
      JSON.stringify(created.body) +
      JSON.stringify((await api().get('/api/v1/hostaway/accounts/10001').set(auth).expect(200)).body);
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain(WEBHOOK.password);

    const { rows } = await sql.query(
      `SELECT client_secret, webhook_password_hash FROM hostaway.accounts WHERE account_id = 10001`,
    );
    expect(rows[0].client_secret).toMatch(/^v1:k1:/);
    expect(rows[0].webhook_password_hash).toMatch(/^scrypt:/);

    const jobs = await api().get('/api/v1/jobs?source=hostaway&account_id=10001').set(auth).expect(200);
    expect(jobs.body.items).toEqual([
      expect.objectContaining({ mode: 'full', status: 'queued', trigger: 'startup' }),
    ]);
    // a sync request while that job is unfinished returns it
    const again = await api()
      .post('/api/v1/hostaway/accounts/10001/sync?mode=incremental')
      .set(auth)
      .expect(200);
    expect(again.body).toMatchObject({ created: false, job_id: jobs.body.items[0].id });
    await api().post('/api/v1/hostaway/accounts/10001/sync?mode=sideways').set(auth).expect(400);
    await api().post('/api/v1/hostaway/accounts/99999/sync').set(auth).expect(404);

    await api()
      .post('/api/v1/hostaway/accounts')
      .set(auth)
      .send({ account_id: 10001, client_secret: SECRET })
      .expect(200);
    await api()
      .post('/api/v1/hostaway/accounts')
      .set(auth)
      .send({ account_id: 'abc', webhook_login: 'x' })
      .expect(400);
    expect(logs.text()).not.toContain(SECRET);
    expect(logs.text()).not.toContain(WEBHOOK.password);
  });

  it('queues an incremental sync once the account has synced, and a full one on request', async () => {
    await sql.query(
      `UPDATE ops.sync_jobs SET status = 'succeeded', finished_at = now() WHERE source = 'hostaway' AND account_id = '10001'`,
    );
    await sql.query(`UPDATE hostaway.accounts SET last_sync_at = now() WHERE account_id = 10001`);
    const incremental = await api().post('/api/v1/hostaway/accounts/10001/sync').set(auth).expect(202);
    expect(incremental.headers.location).toBe(`/api/v1/jobs/${incremental.body.job_id}`);
    expect(incremental.body.job).toMatchObject({ mode: 'incremental', status: 'queued' });
    await sql.query(`UPDATE ops.sync_jobs SET status = 'succeeded', finished_at = now() WHERE id = $1`, [
      incremental.body.job_id,
    ]);
    const full = await api().post('/api/v1/hostaway/accounts/10001/sync?mode=full').set(auth).expect(202);
    expect(full.body.job).toMatchObject({ mode: 'full' });
  });

  describe('POST /api/v1/hostaway/webhooks', () => {
    const reservationEvent = {
      object: 'reservation',
      event: 'reservation.updated',
      accountId: 10001,
      payload: {
        data: {
          id: 5000001,
          listingMapId: 100201,
          status: 'cancelled',
          arrivalDate: '2025-08-01',
          departureDate: '2025-08-04',
        },
      },
    };
    const hook = () => api().post('/api/v1/hostaway/webhooks');

    it('answers 401 without, or with wrong, Basic credentials, and for accounts that are not ours', async () => {
      await hook().send(reservationEvent).expect(401);
      await hook().set('X-API-Key', TEST_API_KEY).send(reservationEvent).expect(401);
      await hook()
        .set('Authorization', basic(WEBHOOK.login, 'wrong-password-0123456789'))
        .send(reservationEvent)
        .expect(401);
      await hook()
        .set('Authorization', basic('someone-else', WEBHOOK.password))
        .send(reservationEvent)
        .expect(401);
      await hook()
        .set('Authorization', basic(WEBHOOK.login, WEBHOOK.password))
        .send({ ...reservationEvent, accountId: 10002 })
        .expect(401);
    });

    it('answers 400 for deliveries that are not webhooks', async () => {
      const noEvent = await hook()
        .set('Authorization', basic(WEBHOOK.login, WEBHOOK.password))
        .send({ accountId: 10001, data: {} })
        .expect(400);
      expect(noEvent.body.detail).toContain("must have required property 'event'");
      const noAccount = await hook()
        .set('Authorization', basic(WEBHOOK.login, WEBHOOK.password))
        .send({ event: 'reservation.created' })
        .expect(400);
      expect(noAccount.body.detail).toContain("must have required property 'accountId'");
      await hook()
        .set('Authorization', basic(WEBHOOK.login, WEBHOOK.password))
        .set('Content-Type', 'application/json')
        .send('{"event":')
        .expect(400);
    });

    it('puts accepted deliveries on raw.hostaway.v1; a repeated delivery carries the same key; unknown events are kept and counted', async () => {
      const ok = basic(WEBHOOK.login, WEBHOOK.password);
      expect((await hook().set('Authorization', ok).send(reservationEvent).expect(200)).body).toEqual({
        status: 'accepted',
      });
      await hook().set('Authorization', ok).send(reservationEvent).expect(200);
      const aliased = {
        object: 'conversationMessage',
        eventType: 'message.received',
        accountId: '10001',
        data: {
          id: 900000002,
          conversationId: 7000001,
          reservationId: 5000001,
          body: 'Thanks!',
          date: '2025-07-02 09:00:00',
        },
      };
      await hook().set('Authorization', ok).send(aliased).expect(200);
      await hook()
        .set('Authorization', ok)
        .send({ event: 'listing.updated', accountId: 10001, data: { id: 100201 } })
        .expect(200);

      const messages = await waitFor(() => (raw.length >= 4 ? raw : null), {
        what: 'four webhook envelopes',
      });
      // keys land on different partitions: no order across them
      const envelopes = messages.map((m) => ({ key: m.key, envelope: JSON.parse(m.value) }));
      const byEvent = (event: string) => envelopes.filter((e) => e.envelope.variables.event === event);
      const reservations = byEvent('reservation.updated');
      expect(reservations).toHaveLength(2);
      expect(reservations[0].key).toBe(reservations[1].key);
      expect(new Set(envelopes.map((e) => e.key)).size).toBe(3);
      expect(reservations[0].envelope).toMatchObject({
        source: 'hostaway',
        accountId: '10001',
        operation: 'webhook',
        jobId: null,
        httpStatus: 200,
        body: reservationEvent,
      });
      expect(byEvent('message.received')[0].envelope.variables).toEqual({
        event: 'message.received',
        object: 'conversationMessage',
      });
      expect(byEvent('listing.updated')).toHaveLength(1);
      expect(envelopes.every((e) => !JSON.stringify(e.envelope).includes(WEBHOOK.password))).toBe(true);

      const metrics = (await api().get('/metrics').expect(200)).text;
      expect(metrics).toContain(
        'staysync_hostaway_webhooks_total{event="reservation.updated",outcome="accepted",service="admin"} 2',
      );
      expect(metrics).toContain(
        'staysync_hostaway_webhooks_total{event="unknown",outcome="accepted",service="admin"} 1',
      );
      expect(metrics).toMatch(
        /staysync_hostaway_webhooks_total\{event="reservation.updated",outcome="unauthorized",service="admin"\} [1-9]/,
      );
    });

    it('stops accepting an account’s webhooks once it is deleted', async () => {
      await api().delete('/api/v1/hostaway/accounts/10001').set(auth).expect(204);
      await hook()
        .set('Authorization', basic(WEBHOOK.login, WEBHOOK.password))
        .send(reservationEvent)
        .expect(401);
      await api().get('/api/v1/hostaway/accounts/10001').set(auth).expect(404);
    });
  });
});
