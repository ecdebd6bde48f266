import { createPool } from '@staysync/db';
import type { Pool, PoolClient } from 'pg';
import { createTestDatabase, type TestDatabase } from '../harness';

/** The services' pools store large values (raw bodies) TOAST-compressed with lz4 where the server has it. */
describe('DB > pool: TOAST compression', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    pool = createPool({ connectionString: db.url, max: 2 }, () => undefined);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('every connection of the pool compresses with lz4 (pglz on a server without it)', async () => {
    const { rows } = await pool.query<{ lz4: boolean }>(
      `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
    );
    const expected = rows[0]?.lz4 ? 'lz4' : 'pglz';
    if (expected === 'pglz') process.stderr.write('\n[toast] this server has no lz4: checking pglz\n');

    await pool.query(`CREATE TABLE bodies (id int PRIMARY KEY, body jsonb)`);
    // a body large and repetitive enough to be compressed (like an upstream response)
    const body = { data: Array.from({ length: 2000 }, (_, i) => ({ day: i, value: 'x'.repeat(20) })) };
    // both connections, each opened by the pool
    const clients = await Promise.all([pool.connect(), pool.connect()]);
    try {
      for (const [i, client] of clients.entries()) {
        expect((await client.query(`SHOW default_toast_compression`)).rows[0]).toEqual({
          default_toast_compression: expected,
        });
        await client.query(`INSERT INTO bodies VALUES ($1, $2)`, [i, body]);
      }
    } finally {
      for (const client of clients) client.release();
    }
    const stored = await pool.query(
      `SELECT id, pg_column_compression(body) AS method, body = $1::jsonb AS same FROM bodies ORDER BY id`,
      [body],
    );
    expect(stored.rows).toEqual([
      { id: 0, method: expected, same: true },
      { id: 1, method: expected, same: true },
    ]);
  });

  it('sets it before the pool hands a connection out: nothing runs beside the SET', async () => {
    // node-postgres sends a query given while another runs on the same connection after it, and
    // warns that pg@9 will refuse it; a new connection must come out of the pool idle
    const fresh = createPool({ connectionString: db.url, max: 3 }, () => undefined);
    const clients: PoolClient[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const client = await fresh.connect();
        clients.push(client);
        // read as the pool hands it out, before any I/O could finish a query in flight
        const internals = client as unknown as { _activeQuery: unknown; _queryQueue: unknown[] };
        expect({ active: internals._activeQuery, queued: internals._queryQueue.length }).toEqual({
          active: null,
          queued: 0,
        });
        expect((await client.query(`SHOW default_toast_compression`)).rows).toHaveLength(1);
      }
    } finally {
      for (const client of clients) client.release();
      await fresh.end();
    }
  });

  it('a connection lost before the SET fails connect() instead of handing out a dead connection', async () => {
    const killer = createPool({ connectionString: db.url, max: 1 }, () => undefined);
    const doomed = createPool(
      {
        connectionString: db.url,
        max: 1,
        // runs first (withLz4Toast chains a caller's onConnect): the server ends this very session
        onConnect: async (client) => {
          const { processID } = client as unknown as { processID: number };
          await killer.query(`SELECT pg_terminate_backend($1)`, [processID]);
        },
      },
      () => undefined,
    );
    try {
      // the server's "terminating connection", or node-postgres's own when the socket closes first
      await expect(doomed.connect()).rejects.toThrow(/terminat|connection error/i);
      expect(doomed.totalCount).toBe(0);
    } finally {
      await Promise.all([doomed.end(), killer.end()]);
    }
  });
});
