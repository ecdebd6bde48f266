import { Pool } from 'pg';
import { loadEnvelopes } from '@staysync/pipeline';
import { parseEnvelopes } from '../../apps/cli/src/bench/copy-ceiling';
import { truncateLoaderTables } from '../../apps/cli/src/bench/context';
import { runPerListingInsert } from '../../apps/cli/src/bench/peers/per-listing-insert';
import { createTestDatabase, type TestDatabase } from '../harness';
import { chartEnvelope, fixtureEnvelopes, sortedSnapshot } from '../loader/support';

describe('peer 2: the seed’s per-listing INSERT … ON CONFLICT', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('leaves exactly the metric rows the loader leaves, with no raw store', async () => {
    // a second chart metric for the same days: its rows share keys with the first chart's and must merge
    const envelopes = ['p1', 'p2'].flatMap((accountId) => [
      ...fixtureEnvelopes({ accountId }),
      chartEnvelope({ accountId }, 'conversion_rate'),
    ]);
    await loadEnvelopes(pool, envelopes);
    const byLoader = { p1: await sortedSnapshot(pool, 'p1'), p2: await sortedSnapshot(pool, 'p2') };
    await truncateLoaderTables(pool);

    const result = await runPerListingInsert(pool, parseEnvelopes(envelopes));
    expect({ p1: await sortedSnapshot(pool, 'p1'), p2: await sortedSnapshot(pool, 'p2') }).toEqual(byLoader);
    // 7 listings, 28 chart days, 1 chart summary, 1 list-of-metrics window per account
    expect(result.rows).toBe(2 * (7 + 28 + 1 + 1));
    expect((await pool.query(`SELECT count(*)::int AS n FROM airbnb.raw_responses`)).rows[0].n).toBe(0);
    // one transaction per listing: the listings section names 7 listings per account, the charts one of them
    expect(result.listings).toBe(2 * 7);
    expect(result.rows_per_s).toBeGreaterThan(0);
    expect(result.cpu_ms.node_process).toBeGreaterThanOrEqual(0);
  });
});
