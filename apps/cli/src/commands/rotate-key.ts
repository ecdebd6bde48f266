import { Pool } from 'pg';
import { z } from 'zod';
import { credentialsShape, parseEnv, url } from '@staysync/config';
import type { SealedPayloadColumn } from '@staysync/core';
import { CredentialCipher, resealValues } from '@staysync/crypto';
import { SOURCES } from '@staysync/sources';

/** Every column holding one sealed value: each source's sealed account columns. */
const ENCRYPTED_COLUMNS: Array<{ table: string; key: string; columns: readonly string[] }> = SOURCES.map(
  (source) => ({
    table: `${source.name}.accounts`,
    key: 'account_id',
    columns: source.sealed.accountColumns,
  }),
);

/** Every JSON column that may hold sealed values (e.g. property secrets), by table, with the columns that identify a row. */
const SEALED_PAYLOAD_COLUMNS: readonly SealedPayloadColumn[] = SOURCES.flatMap(
  (source) => source.sealed.payloadColumns ?? [],
);

/**
 * Re-encrypts every credential under the active (first) key of CREDENTIALS_KEYS. Run it after
 * putting a new key first; once it reports 0 remaining, the old key can be removed. Sealed property
 * secrets inside stored payloads are re-sealed too (rows found by a sealed value under another key id).
 * The raw topics keep what was published under the old key until compaction: keep the old key for as
 * long as a topic replay should be able to open those values.
 */
export async function rotateKeyCommand(options: { batchSize?: number } = {}): Promise<{ rotated: number }> {
  const env = parseEnv(
    { DATABASE_URL: url(['postgres', 'postgresql']), ...credentialsShape, _: z.any().optional() },
    process.env,
  );
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
              await client.query(`UPDATE ${table} SET ${column} = $1 WHERE ${key}::text = $2`, [
                resealed,
                row.id,
              ]);
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
    for (const target of SEALED_PAYLOAD_COLUMNS)
      rotated += await resealPayloads(pool, cipher, target, options.batchSize ?? 200);
  } finally {
    await pool.end();
  }
  console.log(JSON.stringify({ rotated, activeKeyId: cipher.activeKeyId }));
  return { rotated };
}

/** Re-seals the sealed values of one JSON column, a batch of rows per transaction; returns the rows rewritten. */
async function resealPayloads(
  pool: Pool,
  cipher: CredentialCipher,
  target: SealedPayloadColumn,
  batchSize: number,
): Promise<number> {
  const { table, keys, column } = target;
  // a sealed string under any key but the active one (key ids are [A-Za-z0-9_-], safe inside the pattern)
  const stale = `"v1:(?!${cipher.activeKeyId}:)[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]+:`;
  const keyList = keys.join(', ');
  let rewritten = 0;
  for (;;) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ key: unknown[]; payload: unknown }>(
        `SELECT json_build_array(${keyList}) AS key, ${column} AS payload FROM ${table}
          WHERE ${column}::text ~ $1 ORDER BY ${keyList} LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [stale, batchSize],
      );
      for (const row of rows) {
        const { value } = resealValues(row.payload, cipher);
        const where = keys.map((k, i) => `${k} = $${i + 2}`).join(' AND ');
        await client.query(`UPDATE ${table} SET ${column} = $1 WHERE ${where}`, [
          JSON.stringify(value),
          ...row.key,
        ]);
      }
      await client.query('COMMIT');
      rewritten += rows.length;
      if (rows.length > 0) process.stderr.write(`${table}.${column}: re-sealed ${rows.length}\n`);
      if (rows.length < batchSize) return rewritten;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }
}
