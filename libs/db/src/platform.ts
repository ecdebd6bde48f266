import type { Pool } from 'pg';

export type StorageMode = 'timescaledb' | 'postgresql';

/** Which storage flavour this database offers; logged at start-up by every service. */
export async function detectStorageMode(pool: Pool): Promise<{ mode: StorageMode; version: string | null }> {
  const { rows } = await pool.query<{ extversion: string }>(
    `SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'`,
  );
  return rows.length > 0
    ? { mode: 'timescaledb', version: rows[0].extversion }
    : { mode: 'postgresql', version: null };
}
