import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';
import type { ColumnSpec } from '@staysync/core';
import { quoteIdent } from './identifiers';

/**
 * `pg_temp.staging_<hash>`, created if the session has none yet: a session-local table with these
 * columns and types (what rows are converted to on their way in by COPY; an INSERT … SELECT then
 * assigns them to the target's columns), emptied at COMMIT. Typed from code rather than copied from
 * the target (LIKE), and named by a hash of `label` and the column definitions, so a long-lived pooled
 * session never writes through a table that a migration or a code change left stale.
 *
 * Callers empty it after use too, for a second use in the same transaction.
 */
export async function stagingTable(
  client: ClientBase,
  label: string,
  columns: readonly ColumnSpec[],
): Promise<string> {
  const definition = `(${columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`;
  const key = `${label} ${definition}`;
  let staging = stagingTables.get(key);
  if (!staging) {
    const name = `staging_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
    staging = {
      name: `pg_temp.${name}`,
      ddl: `CREATE TEMP TABLE IF NOT EXISTS ${name} ${definition} ON COMMIT DELETE ROWS`,
    };
    stagingTables.set(key, staging);
  }
  await client.query(staging.ddl);
  return staging.name;
}

/** by label and columns: one entry per distinct table definition in the code */
const stagingTables = new Map<string, { name: string; ddl: string }>();
