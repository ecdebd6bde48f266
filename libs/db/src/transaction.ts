import type { ClientBase, Pool, PoolClient } from 'pg';

/**
 * Runs `work` in a transaction on one pooled connection: COMMIT when it resolves (ROLLBACK instead
 * with `rollback: true`, e.g. a dry run), ROLLBACK when it throws; the connection goes back either way.
 */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, options: { rollback?: boolean } = {}): Promise<T> {
  const client = await pool.connect();
  try {
    return await inClientTransaction(client, () => work(client), options);
  } finally {
    client.release();
  }
}

/** The same on a connection the caller holds (which must not be in a transaction already). */
export async function inClientTransaction<T>(client: ClientBase, work: () => Promise<T>, options: { rollback?: boolean } = {}): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
