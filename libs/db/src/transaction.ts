import type { ClientBase, Pool, PoolClient } from 'pg';

/** connections whose ROLLBACK failed: in an unknown state (still in the transaction, or gone) */
const failedRollbacks = new WeakMap<ClientBase, Error>();

/**
 * Runs `work` in a transaction on one pooled connection: COMMIT when it resolves (ROLLBACK instead
 * with `rollback: true`, e.g. a dry run), ROLLBACK when it throws; the connection goes back either way.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  options: { rollback?: boolean } = {},
): Promise<T> {
  const client = await pool.connect();
  // A connection that breaks mid-transaction emits 'error' (which would end the process unheard) and
  // rejects the query in flight: the work fails, and the connection is destroyed, not pooled again.
  let lost: Error | undefined;
  const onLost = (error: Error) => (lost ??= error);
  client.on('error', onLost);
  try {
    return await inClientTransaction(client, () => work(client), options);
  } finally {
    client.removeListener('error', onLost);
    // a transaction that could not be rolled back must not reach the next borrower either
    client.release(lost ?? failedRollbacks.get(client));
  }
}

/** The same on a connection the caller holds (which must not be in a transaction already). */
export async function inClientTransaction<T>(
  client: ClientBase,
  work: () => Promise<T>,
  options: { rollback?: boolean } = {},
): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query(options.rollback ? 'ROLLBACK' : 'COMMIT');
    return result;
  } catch (error) {
    await client
      .query('ROLLBACK')
      .catch((rollbackError: Error) => failedRollbacks.set(client, rollbackError));
    throw error;
  }
}
