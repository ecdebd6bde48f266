import type { NestExpressApplication } from '@nestjs/platform-express';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import request from 'supertest';
import {
  createTestDatabase,
  randomGroupId,
  randomTopicPrefix,
  startPrivateBroker,
  waitFor,
  type PrivateBroker,
  type TestDatabase,
} from '../harness';
import { adminTestConfig, startAdmin, TEST_API_KEY } from './admin-app';

const cookieFor = (id: string) =>
  `_aat=secret-${id}; _user_attributes=${encodeURIComponent(JSON.stringify({ id_str: id }))}`;

/**
 * The broker goes away (its process is frozen with SIGSTOP: connections hang, nothing answers);
 * account writes still succeed because they only touch PostgreSQL, and the outbox relay publishes
 * their events, in order, once the broker answers again.
 */
describe('Admin > outbox while the broker is unreachable', () => {
  let db: TestDatabase;
  let cluster: PrivateBroker;
  let app: NestExpressApplication;
  let sql: Client;
  const prefix = randomTopicPrefix();

  beforeAll(async () => {
    db = await createTestDatabase();
    cluster = await startPrivateBroker();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    ({ app } = await startAdmin(
      adminTestConfig({ DATABASE_URL: db.url, KAFKA_BROKERS: cluster.brokers, KAFKA_TOPIC_PREFIX: prefix }),
    ));
  });

  afterAll(async () => {
    process.kill(cluster.pid, 'SIGCONT');
    await app?.close();
    await sql?.end();
    await cluster?.stop();
    await db?.drop();
  });

  it('accepts writes while the broker is down and publishes their events in order after it returns', async () => {
    const api = () => request(app.getHttpServer());
    const auth = { 'X-API-Key': TEST_API_KEY };
    // warm up: the producer is connected and the topic exists
    await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .send({ cookie: cookieFor('300000000'), x_client_version: 'v', user_agent: 'ua' })
      .expect(201);
    await waitFor(
      async () =>
        (await sql.query('SELECT count(*)::int AS n FROM ops.outbox WHERE published_at IS NULL')).rows[0]
          .n === 0,
      { what: 'warm-up events published' },
    );

    process.kill(cluster.pid, 'SIGSTOP');
    const started = Date.now();
    await api()
      .post('/api/v1/airbnb/accounts')
      .set(auth)
      .send({ cookie: cookieFor('300000001'), x_client_version: 'v1', user_agent: 'ua' })
      .expect(201);
    await api()
      .patch('/api/v1/airbnb/accounts/300000001')
      .set(auth)
      .send({ x_client_version: 'v2' })
      .expect(200);
    await api().patch('/api/v1/airbnb/accounts/300000001').set(auth).send({ is_active: false }).expect(200);
    await api().delete('/api/v1/airbnb/accounts/300000001').set(auth).expect(204);
    // not waiting on kafkajs's 30 s request timeout (loaded CI takes ~0.7 s)
    expect(Date.now() - started).toBeLessThan(10_000);
    const pending = await sql.query(
      `SELECT count(*)::int AS n FROM ops.outbox WHERE published_at IS NULL AND topic = 'accounts.events' AND message_key = 'airbnb:300000001'`,
    );
    expect(pending.rows[0].n).toBe(4);

    process.kill(cluster.pid, 'SIGCONT');
    await waitFor(
      async () =>
        (await sql.query('SELECT count(*)::int AS n FROM ops.outbox WHERE published_at IS NULL')).rows[0]
          .n === 0,
      {
        what: 'outbox drained after the broker returned',
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );

    const kafka = new Kafka({ brokers: [cluster.brokers], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({
      groupId: randomGroupId('broker-down'),
      sessionTimeout: 6000,
      heartbeatInterval: 500,
    });
    const types: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: `${prefix}accounts.events.v1`, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === 'airbnb:300000001')
          types.push(JSON.parse(message.value!.toString()).type);
      },
    });
    await waitFor(() => types.length >= 4, { what: 'four events', timeoutMs: 30_000 });
    await consumer.disconnect();
    expect(types).toEqual(['created', 'updated', 'deactivated', 'deleted']);
  }, 120_000);
});
