import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { INCREMENTAL_UNFILTERED_NOTE } from '@staysync/source-hostaway';
import {
  messageWebhook,
  reservationWebhook,
  sendHostawayWebhook,
  startHostawaySimulator,
  type HostawaySimulator,
} from '@staysync/simulators';
import { Client } from 'pg';
import request from 'supertest';
import { adminTestConfig, CapturedLogs, startAdmin, TEST_API_KEY } from '../admin/admin-app';
import { startFetcher, waitForJob } from '../fetcher/fetcher-app';
import { createTestDatabase, randomTopicPrefix, waitFor, type TestDatabase } from '../harness';
import { loaderTestConfig, startLoader } from '../loader/loader-app';
import { hostawayFetcherConfig, RATES } from './stack';

const ACCOUNT = 10001;
const SECRET = 'hostaway-client-secret-0123456789';
const WEBHOOK = { login: 'hooks-10001', password: 'hook-password-0123456789' };
const SHAPE = { listings: 3, reservationsPerListing: 4, messagesPerConversation: 3 };
const PAGE_SIZE = 5;

/** admin (accounts API, webhooks) + fetcher + loader + the Hostaway simulator, on PostgreSQL and the broker */
describe('Hostaway end to end (PostgreSQL + broker + simulator)', () => {
  const prefix = randomTopicPrefix();
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  let db: TestDatabase;
  let sql: Client;
  let simulator: HostawaySimulator;
  let admin: NestExpressApplication;
  let adminUrl: string;
  const apps: NestExpressApplication[] = [];
  const api = () => request(admin.getHttpServer());
  const auth = { 'X-API-Key': TEST_API_KEY };
  /** how far the simulator's clock (its data's updatedOn stamps) runs ahead of the wall clock */
  let simulatorAheadMs = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    simulator = await startHostawaySimulator({
      accounts: [{ accountId: ACCOUNT, clientSecret: SECRET, ...SHAPE }],
      // long enough that the fetcher's four concurrent requests overlap even on a loaded host
      latencyMs: 150,
      rateLimits: RATES,
      now: () => new Date(Date.now() + simulatorAheadMs),
    });
    const common = { DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, CREDENTIALS_KEYS: keys };
    const loader = await startLoader(loaderTestConfig(common), new CapturedLogs());
    const fetcherConfig = hostawayFetcherConfig(common, simulator.url, PAGE_SIZE);
    const fetcher = (await startFetcher(fetcherConfig, { instanceId: 'fetcher-hostaway' })).app;
    ({ app: admin } = await startAdmin(adminTestConfig(common)));
    await admin.listen(0);
    adminUrl = `http://127.0.0.1:${(admin.getHttpServer().address() as AddressInfo).port}/api/v1/hostaway/webhooks`;
    apps.push(admin, fetcher, loader);
  });

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await simulator?.close();
    await sql?.end();
    await db?.drop();
  });

  const counts = async () => {
    const { rows } = await sql.query(
      `SELECT (SELECT count(*) FROM hostaway.listings)::int AS listings, (SELECT count(*) FROM hostaway.reservations)::int AS reservations,
              (SELECT count(*) FROM hostaway.messages)::int AS messages`,
    );
    return rows[0];
  };
  const reservationRow = async (id: number) =>
    (
      await sql.query(`SELECT status, cancelled_at, raw_payload FROM hostaway.reservations WHERE id = $1`, [
        id,
      ])
    ).rows[0];
  const syncAndWait = async (mode: 'full' | 'incremental') => {
    const { body } = await api()
      .post(`/api/v1/hostaway/accounts/${ACCOUNT}/sync?mode=${mode}`)
      .set(auth)
      .expect(202);
    return waitForJob(sql, body.job_id, (j) => j.finished_at !== null, `${mode} sync finished`, 60_000);
  };

  it('creating the account runs a full sync: exact requests and rows, within the rate limits and the concurrency cap', async () => {
    const created = await api()
      .post('/api/v1/hostaway/accounts')
      .set(auth)
      .send({
        account_id: ACCOUNT,
        client_secret: SECRET,
        webhook_login: WEBHOOK.login,
        webhook_password: WEBHOOK.password,
      })
      .expect(201);
    expect(created.body.account_id).toBe(ACCOUNT);
    const [job] = (
      await api().get(`/api/v1/jobs?source=hostaway&account_id=${ACCOUNT}`).set(auth).expect(200)
    ).body.items;
    const done = await waitForJob(sql, job.id, (j) => j.finished_at !== null, 'first full sync', 60_000);
    expect(done).toMatchObject({ status: 'succeeded', failed: 0 });

    const conversations = SHAPE.listings * SHAPE.reservationsPerListing;
    expect(await counts()).toEqual({
      listings: 3,
      reservations: conversations,
      messages: conversations * SHAPE.messagesPerConversation,
    });
    const stats = simulator.stats();
    // GETs: 1 listings page, 3 reservations pages, 3 conversations pages, one messages page per conversation
    expect(simulator.expectedRequestsForFullSync(ACCOUNT, PAGE_SIZE)).toBe(1 + 3 + 3 + 12);
    expect(stats.byKind).toMatchObject({
      accessTokens: 1,
      listings: 1,
      reservations: 3,
      conversations: 3,
      messages: 12,
    });
    // the cap is HOSTAWAY_CONCURRENCY (4); how many the simulator sees at once depends on when the
    // shared event loop reads them (the exact cap is tested in the limiter's spec)
    expect(stats.byAccount[String(ACCOUNT)].peakConcurrency).toBeGreaterThanOrEqual(2);
    expect(stats.byAccount[String(ACCOUNT)].peakConcurrency).toBeLessThanOrEqual(4);
    expect(stats.rateLimited).toBe(0);
    expect(stats.forbidden).toBe(0);

    // the minted token is cached, sealed, on the account; the account id on every row is the caller's
    const { rows } = await sql.query(
      `SELECT access_token, last_sync_at FROM hostaway.accounts WHERE account_id = $1`,
      [ACCOUNT],
    );
    expect(rows[0].access_token).toMatch(/^v1:k1:/);
    expect(rows[0].last_sync_at).toBeInstanceOf(Date);
    const foreign = await sql.query(
      `SELECT count(*)::int AS n FROM hostaway.messages WHERE account_id <> $1`,
      [ACCOUNT],
    );
    expect(foreign.rows[0].n).toBe(0);
  });

  it('an identical second sync changes no row and leaves updated_at alone', async () => {
    const before = (
      await sql.query(
        `SELECT max(updated_at) AS at FROM (SELECT updated_at FROM hostaway.listings UNION ALL SELECT updated_at FROM hostaway.reservations UNION ALL SELECT updated_at FROM hostaway.messages) u`,
      )
    ).rows[0].at;
    simulator.resetStats();
    expect(await syncAndWait('full')).toMatchObject({ status: 'succeeded', failed: 0 });
    expect(simulator.stats().byKind.accessTokens).toBe(0);
    const after = (
      await sql.query(
        `SELECT max(updated_at) AS at FROM (SELECT updated_at FROM hostaway.listings UNION ALL SELECT updated_at FROM hostaway.reservations UNION ALL SELECT updated_at FROM hostaway.messages) u`,
      )
    ).rows[0].at;
    expect(after).toEqual(before);
    expect(await counts()).toEqual({ listings: 3, reservations: 12, messages: 36 });
  });

  it('a token that expires mid-sync is refreshed once, and the sync completes', async () => {
    const { rows: before } = await sql.query(
      `SELECT access_token FROM hostaway.accounts WHERE account_id = $1`,
      [ACCOUNT],
    );
    simulator.resetStats();
    const { body } = await api()
      .post(`/api/v1/hostaway/accounts/${ACCOUNT}/sync?mode=full`)
      .set(auth)
      .expect(202);
    await waitFor(() => simulator.stats().byKind.conversations > 0 || null, {
      what: 'sync under way',
      intervalMs: 5,
    });
    simulator.expireTokens(ACCOUNT);
    const job = await waitForJob(
      sql,
      body.job_id,
      (j) => j.finished_at !== null,
      'sync after token expiry',
      60_000,
    );
    expect(job).toMatchObject({ status: 'succeeded', failed: 0 });
    const stats = simulator.stats();
    expect(stats.byKind.accessTokens).toBe(1);
    expect(stats.forbidden).toBeGreaterThanOrEqual(1);
    expect(stats.forbidden).toBeLessThanOrEqual(4); // at most the requests in flight with the old token
    const { rows: after } = await sql.query(
      `SELECT access_token FROM hostaway.accounts WHERE account_id = $1`,
      [ACCOUNT],
    );
    expect(after[0].access_token).not.toBe(before[0].access_token);
  });

  it('a reservation changed by webhook and then by a poll ends with the newest payload; cancellations are reflected', async () => {
    const target = simulator.reservations(ACCOUNT)[0];
    const changed = simulator.updateReservation(ACCOUNT, target.id, { guestName: 'Changed Through Webhook' });
    const ack = await sendHostawayWebhook(
      adminUrl,
      WEBHOOK,
      reservationWebhook(ACCOUNT, changed, 'reservation.updated', { nested: true }),
    );
    expect(ack.status).toBe(200);
    await waitFor(
      async () =>
        (await reservationRow(target.id)).raw_payload.guestName === 'Changed Through Webhook' || null,
      { what: 'webhook applied' },
    );

    // updatedOn has one-second resolution: two changes within the same second cannot be ordered
    simulatorAheadMs += 1000;
    const cancelled = simulator.cancelReservation(ACCOUNT, target.id);
    expect(await syncAndWait('full')).toMatchObject({ status: 'succeeded' });
    const row = await reservationRow(target.id);
    expect(row.status).toBe('cancelled');
    expect(row.cancelled_at).toBeInstanceOf(Date);
    expect(row.raw_payload).toEqual(cancelled);

    // the same webhook delivered again (late) is stored but does not bring the old state back
    const webhooksStored = async () =>
      (await sql.query(`SELECT count(*)::int AS n FROM hostaway.raw_responses WHERE operation = 'webhook'`))
        .rows[0].n;
    const storedBefore = await webhooksStored();
    await sendHostawayWebhook(
      adminUrl,
      WEBHOOK,
      reservationWebhook(ACCOUNT, changed, 'reservation.updated', { nested: true }),
    );
    await waitFor(async () => (await webhooksStored()) === storedBefore + 1 || null, {
      what: 'late webhook loaded',
    });
    expect((await reservationRow(target.id)).status).toBe('cancelled');
  });

  it('a message.received webhook adds the message; the thread stays in send order', async () => {
    const reservation = simulator.reservations(ACCOUNT)[1];
    const conversation = simulator.conversationForReservation(ACCOUNT, reservation.id)!;
    const message = simulator.addMessage(ACCOUNT, conversation.id, 'Is early check-in possible?');
    expect((await sendHostawayWebhook(adminUrl, WEBHOOK, messageWebhook(ACCOUNT, message))).status).toBe(200);
    const thread = await waitFor(
      async () => {
        const { rows } = await sql.query(
          `SELECT raw_messages FROM hostaway.message_threads WHERE reservation_id = $1`,
          [reservation.id],
        );
        return rows[0]?.raw_messages.length === SHAPE.messagesPerConversation + 1
          ? rows[0].raw_messages
          : null;
      },
      { what: 'thread with the new message' },
    );
    const expectedOrder = simulator
      .messages(ACCOUNT, conversation.id)
      .reverse()
      .map((m) => m.id);
    expect(thread.map((m: { id: number }) => m.id)).toEqual(expectedOrder);
    expect(thread.at(-1)).toMatchObject({ body: 'Is early check-in possible?', sender: 'them' });
  });

  it('an incremental sync narrows listings and reservations by activity and says what it could not narrow', async () => {
    const job = await syncAndWait('incremental');
    expect(job).toMatchObject({ status: 'succeeded' });
    const { rows } = await sql.query(
      `SELECT notes FROM ops.sync_jobs WHERE id = (SELECT id FROM ops.sync_jobs WHERE source = 'hostaway' AND mode = 'incremental' ORDER BY created_at DESC LIMIT 1)`,
    );
    expect(rows[0].notes).toContain(INCREMENTAL_UNFILTERED_NOTE);
    const narrowed = await sql.query(
      `SELECT DISTINCT operation FROM hostaway.raw_responses r JOIN ops.sync_jobs j ON j.id = r.job_id
        WHERE j.mode = 'incremental' AND r.variables ? 'latestActivityStart' ORDER BY 1`,
    );
    expect(narrowed.rows.map((r) => r.operation)).toEqual(['listings', 'reservations']);
  });
});
