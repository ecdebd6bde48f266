import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { rawEnvelopeKey } from '@staysync/contracts';
import { loadEnvelopes } from '@staysync/pipeline';
import { createTestDatabase, waitFor, type TestDatabase } from '@staysync/testing';
import { AssignerProtocol } from 'kafkajs';
import { Pool } from 'pg';
import { setUpKafka, type LoaderTestKafka } from './kafka-support';
import { loaderConfigOn, startLoader } from './loader-app';
import { fixtureEnvelopes, rowCounts, snapshot } from './support';

const FIXTURE_COUNTS = {
  'airbnb.listings': 7,
  'airbnb.chart_query': 28,
  'airbnb.chart_summary': 1,
  'airbnb.list_of_metrics': 1,
};
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

/**
 * Operators scale loaders by partitions: two loaders of one group split the raw topic, and when one
 * leaves mid-load the other takes its partitions over and loads everything it left uncommitted.
 */
describe('loader > two loaders in one group (PostgreSQL + broker)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let kafka: LoaderTestKafka;
  const loaders: INestApplication[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    kafka = await setUpKafka();
  });

  afterAll(async () => {
    await Promise.all(loaders.map((app) => app.close()));
    await kafka?.close();
    await pool?.end();
    await db?.drop();
  });

  async function startGroupMember(): Promise<INestApplication> {
    const app = await startLoader(loaderConfigOn(db.url, kafka.settings), quiet);
    loaders.push(app);
    return app;
  }

  /** Raw-topic partitions assigned to each member of the loaders' group. */
  async function assignments(): Promise<number[][]> {
    const admin = kafka.kafka.admin();
    await admin.connect();
    try {
      const groupId = `${kafka.settings.topicPrefix}staysync-loader`;
      const [group] = (await admin.describeGroups([groupId])).groups;
      if (group.state !== 'Stable') return [];
      return group.members.map((member) => {
        const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
        return decoded?.assignment[kafka.name('raw.airbnb')] ?? [];
      });
    } finally {
      await admin.disconnect();
    }
  }

  it('split the partitions, and after one leaves mid-load every response is loaded once, as one loader would', async () => {
    const [first] = [await startGroupMember(), await startGroupMember()];
    const split = await waitFor(
      async () => {
        const parts = await assignments();
        return parts.length === 2 && parts.every((p) => p.length > 0) && parts;
      },
      { what: 'both loaders assigned raw partitions', timeoutMs: 30_000 },
    );
    expect(split.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));

    // 24 accounts spread over the 12 partitions (one listing each: source:account:resource)
    const accounts = Array.from({ length: 24 }, (_, i) => String(5000 + i));
    const send = (ids: string[]) =>
      kafka.producer.send(
        'raw.airbnb',
        ids
          .flatMap((accountId) => fixtureEnvelopes({ accountId }))
          .map((value) => ({ key: rawEnvelopeKey(value), value })),
      );
    await send(accounts.slice(0, 12));
    await waitFor(
      async () =>
        (await rowCounts(pool, accounts[0]))['airbnb.chart_query'] === 28 ||
        (await rowCounts(pool, accounts[1]))['airbnb.chart_query'] === 28,
      { what: 'loading under way' },
    );

    // one loader leaves while the second half arrives: the other takes over its partitions
    await Promise.all([first.close(), send(accounts.slice(12))]);
    loaders.splice(loaders.indexOf(first), 1);
    await waitFor(
      async () => {
        const parts = await assignments();
        return parts.length === 1 && parts[0].length === 12;
      },
      { what: 'the remaining loader owns every partition', timeoutMs: 30_000 },
    );

    for (const accountId of accounts) {
      await waitFor(
        async () => JSON.stringify(await rowCounts(pool, accountId)) === JSON.stringify(FIXTURE_COUNTS),
        { what: `account ${accountId} loaded`, timeoutMs: 30_000 },
      );
    }
    const { rows } = await pool.query<{ n: number; keys: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT request_key)::int AS keys FROM airbnb.raw_responses`,
    );
    expect(rows[0]).toEqual({ n: 72, keys: 72 });

    // the same envelopes loaded directly, once, give the same rows
    await loadEnvelopes(pool, fixtureEnvelopes({ accountId: 'reference' }));
    const reference = JSON.stringify(await snapshot(pool, 'reference')).replaceAll(
      '"reference"',
      '"ACCOUNT"',
    );
    for (const accountId of accounts) {
      expect(JSON.stringify(await snapshot(pool, accountId)).replaceAll(`"${accountId}"`, '"ACCOUNT"')).toBe(
        reference,
      );
    }
  }, 120_000);
});
