import { Client } from 'pg';
import { migrateDown, migrateUp, migrationStatus } from '@staysync/db';
import { allMigrations } from '@staysync/runtime';
import { createTestDatabase, type TestDatabase } from '../harness';

/**
 * The names the migrations table recorded when every migration still lived in migrations/: a database
 * migrated then must find each of them under the same name, in the same order, and nothing new to run.
 */
const NAMES_BEFORE_SOURCES_DECLARED_THEIRS = [
  'Migration20261122000001_foundation',
  'Migration20261122000002_timescale_raw_stores',
  'Migration20261122000003_airbnb_metrics',
  'Migration20261122000004_hostaway_resources',
  'Migration20261203000005_dead_lettered_responses',
  'Migration20261204000006_data_lifecycle',
  'Migration20261204000010_read_side_indexes',
  'Migration20261204000011_fetch_resume_state',
  'Migration20261204000013_airbnb_session_states',
  'Migration20261204000015_sync_events',
  'Migration20261205000016_webhook_registration',
  'Migration20261205000017_shape_drift',
];

describe('DB > Migrator (postgres)', () => {
  const migrations = allMigrations();

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
    const first = await migrateUp(db.url, migrations, { silent: true });
    expect(first.applied.slice(0, NAMES_BEFORE_SOURCES_DECLARED_THEIRS.length)).toEqual(
      NAMES_BEFORE_SOURCES_DECLARED_THEIRS,
    );
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

    expect((await migrateUp(db.url, migrations, { silent: true })).applied).toEqual([]);

    const reverted = await migrateDown(db.url, migrations, { to: 0, silent: true });
    expect(reverted).toEqual([...first.applied].reverse());
    expect(await tables()).toEqual([]);
    expect((await migrationStatus(db.url, migrations)).executed).toEqual([]);

    const again = await migrateUp(db.url, migrations, { silent: true });
    expect(again.applied).toEqual(first.applied);
    expect(await tables()).toEqual(created);
  });
});
