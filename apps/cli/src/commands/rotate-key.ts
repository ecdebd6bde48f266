import { Pool } from 'pg';
import { z } from 'zod';
import { credentialsShape, parseEnv, url } from '@staysync/config';
import { CredentialCipher } from '@staysync/crypto';

/** Every encrypted column, by table. */
const ENCRYPTED_COLUMNS: Array<{ table: string; key: string; columns: string[] }> = [
  { table: 'airbnb.accounts', key: 'account_id', columns: ['airbnb_cookie'] },
  { table: 'hostaway.accounts', key: 'account_id', columns: ['client_secret', 'access_token'] },
];

/**
 * Re-encrypts every credential under the active (first) key of CREDENTIALS_KEYS. Run it after
 * putting a new key first; once it reports 0 remaining, the old key can be removed.
 */
export async function rotateKeyCommand(options: { batchSize?: number } = {}): Promise<{ rotated: number }> {
  const env = parseEnv({ DATABASE_URL: url(['postgres', 'postgresql']), ...credentialsShape, _: z.any().optional() }, process.env);
  const cipher = new CredentialCipher(env.CREDENTIALS_KEYS);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: 2 });
  let rotated = 0;
  try {
    for (const { table, key, columns } of ENCRYPTED_COLUMNS) {
      for (const column of columns) {
        for (;;) {
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            const { rows } = await client.query<{ id: string; sealed: string }>(
              `SELECT ${key}::text AS id, ${column} AS sealed FROM ${table}
               WHERE ${column} IS NOT NULL AND split_part(${column}, ':', 2) <> $1
               ORDER BY ${key} LIMIT $2 FOR UPDATE SKIP LOCKED`,
              [cipher.activeKeyId, options.batchSize ?? 200],
            );
            for (const row of rows) {
              const resealed = cipher.encrypt(cipher.decrypt(row.sealed));
              await client.query(`UPDATE ${table} SET ${column} = $1 WHERE ${key}::text = $2`, [resealed, row.id]);
            }
            await client.query('COMMIT');
            rotated += rows.length;
            if (rows.length > 0) process.stderr.write(`${table}.${column}: re-encrypted ${rows.length}\n`);
            if (rows.length < (options.batchSize ?? 200)) break;
          } catch (error) {
            await client.query('ROLLBACK');
            throw error;
          } finally {
            client.release();
          }
        }
      }
    }
  } finally {
    await pool.end();
  }
  console.log(JSON.stringify({ rotated, activeKeyId: cipher.activeKeyId }));
  return { rotated };
}
