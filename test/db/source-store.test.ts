import { sourceStoreSql } from '@staysync/db';
import { SOURCES } from '@staysync/sources';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '../harness';

interface Column {
  column: string;
  type: string;
  nullable: string;
  default: string | null;
}

/**
 * sourceStoreSql() is what a new source's migration creates; the registered sources got their stores
 * through the migrations since foundation. Both must give the core the same tables: same columns, types,
 * nullability, defaults, indexes, constraints and view (names normalized by source).
 */
describe('db > sourceStoreSql: a new source gets the store the registered sources have', () => {
  let db: TestDatabase;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    for (const statement of sourceStoreSql('probe')) await sql.query(statement);
  });

  afterAll(async () => {
    await sql?.end();
    await db?.drop();
  });

  const columns = async (schema: string, table: string): Promise<Column[]> =>
    (
      await sql.query<Column>(
        `SELECT column_name AS column, data_type || coalesce('(' || character_maximum_length || ')', '') AS type, is_nullable AS nullable, column_default AS default
           FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY column_name`,
        [schema, table],
      )
    ).rows;

  const definitions = async (schema: string, table: string): Promise<string[]> => {
    const { rows } = await sql.query<{ def: string }>(
      `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = $1 AND tablename = $2
       UNION ALL
       SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = $1 AND t.relname = $2`,
      [schema, table],
    );
    return rows
      .map((r) => r.def.replaceAll(`${schema}.`, '<source>.').replaceAll(`_${schema}_`, '_<source>_'))
      .sort();
  };

  it.each(SOURCES.map((plugin) => plugin.name))(
    '%s: raw_responses, response_parses and response_parser_versions match',
    async (source) => {
      for (const table of ['raw_responses', 'response_parses', 'response_parser_versions']) {
        expect({ table, columns: await columns('probe', table) }).toEqual({
          table,
          columns: await columns(source, table),
        });
      }
      for (const table of ['raw_responses', 'response_parses']) {
        expect({ table, definitions: await definitions('probe', table) }).toEqual({
          table,
          definitions: await definitions(source, table),
        });
      }
    },
  );

  it.each(SOURCES.map((plugin) => plugin.name))(
    '%s: its accounts have every shared column, alike (the credentials are the source’s own)',
    async (source) => {
      const theirs = new Map((await columns(source, 'accounts')).map((c) => [c.column, c]));
      const shared = (await columns('probe', 'accounts')).filter((c) => c.column !== 'account_id');
      expect(shared.map((c) => theirs.get(c.column) ?? { ...c, missing: true })).toEqual(shared);
      const statusCheck = async (schema: string) =>
        (
          await sql.query<{ def: string }>(
            `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'accounts_status_check' AND connamespace = $1::regnamespace`,
            [schema],
          )
        ).rows;
      expect(await statusCheck('probe')).toEqual(await statusCheck(source));
    },
  );

  it('its accounts have exactly the columns every registered source’s accounts share', async () => {
    const perSource = await Promise.all(
      SOURCES.map(async (plugin) => new Set((await columns(plugin.name, 'accounts')).map((c) => c.column))),
    );
    const sharedByAll = [...perSource[0]]
      .filter((name) => perSource.every((names) => names.has(name)))
      .sort();
    expect((await columns('probe', 'accounts')).map((c) => c.column)).toEqual(sharedByAll);
  });
});
