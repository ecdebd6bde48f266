import { Client } from 'pg';
import { migrateDown, migrateUp, migrationStatus } from '@staysync/db';
import { createTestDatabase, type TestDatabase } from '../harness';

describe('DB > Migrator (postgres)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
  });
  afterAll(() => db?.drop());

  const tables = async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('airbnb', 'hostaway', 'ops') ORDER BY 1`,
      );
      return rows.map((r) => r.name);
    } finally {
      await client.end();
    }
  };

  it('applies everything, is a no-op the second time, reverts fully and re-applies', async () => {
    const first = await migrateUp(db.url, { silent: true });
    expect(first.applied.length).toBeGreaterThanOrEqual(3);
    expect(first.pending).toEqual([]);
    const created = await tables();
    expect(created).toEqual(
      expect.arrayContaining([
        'airbnb.accounts',
        'airbnb.raw_responses',
        'airbnb.chart_query',
        'airbnb.list_of_metrics',
        'airbnb.chart_summary',
        'airbnb.listings',
        'hostaway.accounts',
        'hostaway.raw_responses',
        'ops.sync_jobs',
        'ops.outbox',
        'ops.replays',
      ]),
    );

    expect((await migrateUp(db.url, { silent: true })).applied).toEqual([]);

    const reverted = await migrateDown(db.url, { to: 0, silent: true });
    expect(reverted).toEqual([...first.applied].reverse());
    expect(await tables()).toEqual([]);
    expect((await migrationStatus(db.url)).executed).toEqual([]);

    const again = await migrateUp(db.url, { silent: true });
    expect(again.applied).toEqual(first.applied);
    expect(await tables()).toEqual(created);
  });
});
