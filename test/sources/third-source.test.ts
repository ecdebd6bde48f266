import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { CredentialCipher, parseCredentialKeys } from '@staysync/crypto';
import { migrateUp } from '@staysync/db';
import { allMigrations } from '@staysync/runtime';
import { Client } from 'pg';
import request from 'supertest';
import { AccountHardDeleteService } from '../../apps/admin/src/accounts/account-hard-delete.service';
import { SyncScheduler } from '../../apps/admin/src/scheduler/sync-scheduler.service';
import { adminTestConfig, startAdmin, TEST_API_KEY } from '../admin/admin-app';
import { fetcherTestConfig, startFetcher, waitForJob } from '../fetcher/fetcher-app';
import { createTestDatabase, randomTopicPrefix, waitFor, type TestDatabase } from '../harness';
import { describeSource } from '../harness/conformance';
import { loaderTestConfig, startLoader } from '../loader/loader-app';
import { startEchoSimulator, type EchoSimulator } from './echo/simulator';
import { echoSource } from './echo/source';

// The one line that registers the test-only source: every module of this file sees a registry with it.
jest.mock('@staysync/sources', () => {
  const actual = jest.requireActual<typeof import('@staysync/sources')>('@staysync/sources');
  return {
    ...actual,
    ...actual.createRegistry([
      ...actual.SOURCES,
      jest.requireActual<typeof import('./echo/source')>('./echo/source').echoSource,
    ]),
  };
});

const ACCOUNT = '501';
const TOKEN = 'echo-token-501';
/** created through the admin API (its accounts hook) rather than inserted */
const API_ACCOUNT = '502';
const API_TOKEN = 'echo-token-502';
const ITEMS = [
  { id: 'a', title: 'first' },
  { id: 'b', title: 'second' },
];

/**
 * Proof of the boundary (issue 12 item 3): a source that exists only in test/sources/echo goes end to end
 * through the unchanged core — the scheduler queues it, the fetcher runs its plug-in, its envelopes cross
 * raw.echo.v1, the loader writes its table, a store replay re-parses it, a hard delete removes it; its
 * accounts are served by admin's shared `/api/v1/<source>/accounts` routes through its accounts hook.
 */
describe('Sources > a test-only third source, end to end', () => {
  let db: TestDatabase;
  let sql: Client;
  let simulator: EchoSimulator;
  const apps: INestApplication[] = [];
  let admin: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // the template has the registered sources' migrations; echo's own come through its plug-in
    expect((await migrateUp(db.url, allMigrations(), { silent: true })).applied).toEqual([
      'Migration20261206000001_echo_store',
    ]);
    simulator = await startEchoSimulator({ [ACCOUNT]: TOKEN, [API_ACCOUNT]: API_TOKEN });
    simulator.setItems(ACCOUNT, ITEMS);
    const keys = `k1:${randomBytes(32).toString('base64')}`;
    const cipher = new CredentialCipher(parseCredentialKeys(keys));
    await sql.query(`INSERT INTO echo.accounts (account_id, api_token) VALUES ($1, $2)`, [
      ACCOUNT,
      cipher.encrypt(TOKEN),
    ]);
    const common = { DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: randomTopicPrefix(), CREDENTIALS_KEYS: keys };
    apps.push(await startLoader(loaderTestConfig(common)));
    apps.push(
      (
        await startFetcher(fetcherTestConfig({ ...common, ECHO_BASE_URL: simulator.url }), {
          instanceId: 'fetcher-echo',
        })
      ).app,
    );
    admin = (await startAdmin(adminTestConfig(common))).app;
    apps.push(admin);
  });

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close().catch(() => undefined);
    await simulator?.close();
    await sql?.end();
    await db?.drop();
  });

  it('is scheduled, fetched, loaded, replayed and hard-deleted by the core', async () => {
    // scheduled: the scheduler's tick queues one job for the echo account (its mode from the plug-in)
    await admin.get(SyncScheduler).tick();
    const { rows: jobs } = await sql.query<{ id: string; mode: string; trigger: string }>(
      `SELECT id, mode, trigger FROM ops.sync_jobs WHERE source = 'echo' AND account_id = $1`,
      [ACCOUNT],
    );
    expect(jobs.map(({ mode, trigger }) => ({ mode, trigger }))).toEqual([
      { mode: 'full', trigger: 'schedule' },
    ]);

    // fetched, on raw.echo.v1, loaded: the job succeeds with one response and the table holds the items
    const job = await waitForJob(
      sql,
      jobs[0].id,
      (j) => j.finished_at !== null,
      'the echo job finished',
      60_000,
    );
    expect(job).toMatchObject({ status: 'succeeded', fetched: 1, loaded: 1, failed: 0 });
    expect(simulator.requests).toEqual([`/accounts/${ACCOUNT}/items`]);
    const items = async () =>
      (await sql.query(`SELECT id, title FROM echo.items WHERE account_id = $1 ORDER BY id`, [ACCOUNT])).rows;
    expect(await items()).toEqual(ITEMS);
    const { rows: raw } = await sql.query(
      `SELECT operation, parser_version FROM echo.raw_responses WHERE account_id = $1`,
      [ACCOUNT],
    );
    expect(raw).toEqual([{ operation: 'items', parser_version: 1 }]);

    // replayed: the admin API takes the source from the registry and re-parses its stored response
    await sql.query(`UPDATE echo.items SET title = 'edited', raw_payload = '{}' WHERE id = 'a'`);
    const auth = { 'X-API-Key': TEST_API_KEY };
    const api = () => request(admin.getHttpServer());
    const started = await api()
      .post('/api/v1/replays')
      .set(auth)
      .send({
        source: 'echo',
        origin: 'store',
        from: '2000-01-01T00:00:00Z',
        to: '2100-01-01T00:00:00Z',
        account_id: ACCOUNT,
      })
      .expect(202);
    const replay = await waitFor(
      async () => {
        const { body } = await api().get(`/api/v1/replays/${started.body.id}`).set(auth).expect(200);
        return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
      },
      { what: 'the echo replay finished', timeoutMs: 30_000 },
    );
    expect(replay).toMatchObject({
      status: 'succeeded',
      processed: 1,
      report: { rows: { 'echo.items': { added: 0, changed: 1, unchanged: 1 } }, poison: [] },
    });
    expect(await items()).toEqual(ITEMS);

    // deleted: the hard delete removes the account's rows from the source's table and raw store
    const report = await admin.get(AccountHardDeleteService).hardDelete('echo', ACCOUNT, echoSource.tables);
    // tombstones: its one record on raw.echo.v1 is tombstoned for compaction
    expect(report).toMatchObject({
      rows: {
        'echo.items': 2,
        'echo.raw_responses': 1,
        'echo.response_parses': 1,
        'echo.accounts': 1,
        'ops.sync_jobs': 1,
        'ops.replays': 1,
      },
      tombstones: 1,
    });
    expect(await items()).toEqual([]);
    expect((await sql.query(`SELECT count(*)::int AS n FROM echo.raw_responses`)).rows).toEqual([{ n: 0 }]);
    expect((await sql.query(`SELECT count(*)::int AS n FROM echo.accounts`)).rows).toEqual([{ n: 0 }]);
  });

  it('has its accounts served by the shared /api/v1/echo/accounts routes, and the fetcher reads what they sealed', async () => {
    const auth = { 'X-API-Key': TEST_API_KEY };
    const api = () => request(admin.getHttpServer());
    const created = await api()
      .post('/api/v1/echo/accounts')
      .set(auth)
      .send({ account_id: API_ACCOUNT, api_token: API_TOKEN })
      .expect(201);
    expect(created.headers.location).toBe(`/api/v1/echo/accounts/${API_ACCOUNT}`);
    expect(created.body).toMatchObject({
      account_id: API_ACCOUNT,
      is_active: true,
      status: 'active',
      credentials: { api_token_set: true },
    });
    expect(JSON.stringify(created.body)).not.toContain(API_TOKEN);
    const { rows: stored } = await sql.query(`SELECT api_token FROM echo.accounts WHERE account_id = $1`, [
      API_ACCOUNT,
    ]);
    expect(stored[0].api_token).toMatch(/^v1:k1:/);

    // its first sync (the hook's first mode) is queued with it, and the fetcher authenticates with the token
    const { rows: jobs } = await sql.query<{ id: string; mode: string; trigger: string }>(
      `SELECT id, mode, trigger FROM ops.sync_jobs WHERE source = 'echo' AND account_id = $1`,
      [API_ACCOUNT],
    );
    expect(jobs.map(({ mode, trigger }) => ({ mode, trigger }))).toEqual([
      { mode: 'full', trigger: 'startup' },
    ]);
    const job = await waitForJob(
      sql,
      jobs[0].id,
      (j) => j.finished_at !== null,
      'the API account synced',
      60_000,
    );
    expect(job).toMatchObject({ status: 'succeeded', fetched: 1, failed: 0 });

    // the source's request classes validate: every field problem is a 400 problem
    const bad = await api()
      .post('/api/v1/echo/accounts')
      .set(auth)
      .send({ account_id: 'x', extra: 1 })
      .expect(400);
    expect(bad.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((bad.body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual(
      expect.arrayContaining(['account_id', 'api_token', 'extra']),
    );

    const patched = await api()
      .patch(`/api/v1/echo/accounts/${API_ACCOUNT}`)
      .set(auth)
      .send({ api_token: 'echo-token-502-new', sync_cron: '30 6 * * *' })
      .expect(200);
    expect(patched.body).toMatchObject({ account_id: API_ACCOUNT, sync_cron: '30 6 * * *' });
    const listed = await api().get('/api/v1/echo/accounts').set(auth).expect(200);
    expect(listed.body).toEqual({ items: [patched.body], next_cursor: null });
    await api().delete(`/api/v1/echo/accounts/${API_ACCOUNT}`).set(auth).expect(204);
    await api().get(`/api/v1/echo/accounts/${API_ACCOUNT}`).set(auth).expect(404);
  });
});

// the conformance suite runs for it like for the registered sources
describeSource(echoSource, {
  goldenEnvelopes: () => [
    {
      schemaVersion: 1,
      jobId: null,
      source: 'echo',
      accountId: ACCOUNT,
      operation: 'items',
      resourceId: null,
      requestKey: `echo:${ACCOUNT}:items:2026-12-01`,
      variables: {},
      window: null,
      scrapeDate: '2026-12-01',
      fetchedAt: '2026-12-01T05:00:00.000Z',
      httpStatus: 200,
      body: { items: ITEMS },
    },
  ],
});
