import type { INestApplication } from '@nestjs/common';
import { rawEnvelopeKey } from '@staysync/contracts';
import type { RawEnvelope } from '@staysync/core';
import { createPool } from '@staysync/db';
import { createTestDatabase, waitFor, type TestDatabase } from '@staysync/testing';
import { Client, type Pool } from 'pg';
import request from 'supertest';
import { CapturedLogs } from '../admin/admin-app';
import { setUpKafka, type LoaderTestKafka } from '../loader/kafka-support';
import { loaderConfigOn, startLoader } from '../loader/loader-app';
import { fixtureEnvelopes, rowCounts, snapshot } from '../loader/support';

const FIXTURE_COUNTS = {
  'airbnb.listings': 7,
  'airbnb.chart_query': 28,
  'airbnb.chart_summary': 1,
  'airbnb.list_of_metrics': 1,
};

/**
 * The loader against a database whose connections are cut (pg_terminate_backend, as a failover or a
 * server restart does) and which then refuses connections for a while. An 'error' event nobody
 * listens to would end this jest worker; the service must instead fail only the work in flight,
 * report /ready 503 while the database is away, and load everything once it is back.
 */
describe('database outage (loader)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let server: Client;
  let kafka: LoaderTestKafka;
  let app: INestApplication;
  let logs: CapturedLogs;

  /** Ends every connection to the test database except the admin client's (which is on another database). */
  const terminateConnections = async (): Promise<number> => {
    const { rows } = await server.query<{ n: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [db.name],
    );
    return rows[0].n;
  };
  const produce = (envelopes: RawEnvelope[]) =>
    kafka.producer.send(
      'raw.airbnb',
      envelopes.map((value) => ({ key: rawEnvelopeKey(value), value })),
    );
  const loaded = (accountId: string) => async () =>
    JSON.stringify(await rowCounts(pool, accountId)) === JSON.stringify(FIXTURE_COUNTS);

  beforeAll(async () => {
    db = await createTestDatabase();
    // the test's own pool loses its connections too: without the listeners it would crash this worker
    pool = createPool({ connectionString: db.url, max: 2 }, () => undefined);
    server = new Client({ connectionString: process.env.DATABASE_URL });
    server.on('error', () => undefined);
    await server.connect();
    kafka = await setUpKafka();
    logs = new CapturedLogs();
    app = await startLoader(loaderConfigOn(db.url, kafka.settings), logs);
  });

  afterAll(async () => {
    await server?.query(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
    await app?.close();
    await kafka?.close();
    await pool?.end();
    await server?.end();
    await db?.drop();
  });

  it('keeps loading after its idle and busy connections are terminated, with the same rows as without the cut', async () => {
    await produce(fixtureEnvelopes({ accountId: '3001' }));
    await waitFor(loaded('3001'), { what: 'first account loaded' });
    const reference = await snapshot(pool, '3001');

    // idle connections: the pool drops them and opens new ones for the next batch
    expect(await terminateConnections()).toBeGreaterThan(0);
    // busy ones: cut the connections again and again while batches are being written
    const accounts = ['3002', '3003', '3004', '3005'];
    await produce(accounts.flatMap((accountId) => fixtureEnvelopes({ accountId })));
    // a few cuts while the batches are being written (each fails its transaction, which comes again)
    for (let cut = 0; cut < 5; cut++) {
      await terminateConnections();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    await waitFor(async () => (await Promise.all(accounts.map((a) => loaded(a)()))).every(Boolean), {
      what: 'every account loaded after the cuts',
    });
    for (const accountId of accounts) {
      const rows = await snapshot(pool, accountId);
      // same content as the uncut account, but for the account id
      expect(JSON.parse(JSON.stringify(rows).replaceAll(`"${accountId}"`, '"3001"'))).toEqual(reference);
    }
    expect(logs.text()).toContain('database connection lost');
    await request(app.getHttpServer()).get('/ready').expect(200);
  });

  it('answers /ready 503 while the database refuses connections and 200 once it is back, without a restart', async () => {
    await server.query(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS false`);
    await terminateConnections();

    const down = await request(app.getHttpServer()).get('/ready').expect(503);
    expect(down.body.checks.database).toMatchObject({ status: 'down' });
    expect(down.body.checks.kafka).toMatchObject({ status: 'up' });
    // consumed while the database is away: the batch fails, is not committed, and comes again
    await produce(fixtureEnvelopes({ accountId: '3006' }));
    await waitFor(() => logs.text().includes('batch failed: not committed'), {
      what: 'a batch failing on the missing database',
    });

    await server.query(`ALTER DATABASE ${db.name} WITH ALLOW_CONNECTIONS true`);
    await waitFor(async () => (await request(app.getHttpServer()).get('/ready')).status === 200, {
      what: '/ready 200 again',
    });
    await waitFor(loaded('3006'), { what: 'the account produced during the outage loaded' });
  });
});
