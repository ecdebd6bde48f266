import { join } from 'node:path';
import { currentParser, type ParseResult, type RawEnvelope, type SourcePlugin } from '@staysync/core';
import { createPool, migrateUp } from '@staysync/db';
import { allMigrations } from '@staysync/runtime';
import { loadEnvelopes } from '@staysync/pipeline';
import type { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from './postgres';

/** What a source ships for the suite: `libs/sources/<name>/conformance.ts` exports `goldenEnvelopes()`. */
export interface SourceConformance {
  goldenEnvelopes(): RawEnvelope[];
}

export function conformanceOf(plugin: SourcePlugin): SourceConformance {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(__dirname, '../../libs/sources', plugin.name, 'conformance')) as SourceConformance;
}

/**
 * The standard tests every registered source passes (`Sources > <name> > conformance`): its golden
 * envelopes cover every operation; the current parser's rows fit the declared tables (known columns,
 * conflict key present), parsing is deterministic and leaves the envelope alone, unknown metrics are
 * counted; and the golden replay loaded twice leaves identical tables (the second load inserts nothing).
 */
export function describeSource(
  plugin: SourcePlugin,
  conformance: SourceConformance = conformanceOf(plugin),
): void {
  describe(`Sources > ${plugin.name} > conformance`, () => {
    const golden = conformance.goldenEnvelopes();
    const parser = currentParser(plugin);
    const tables = new Map(plugin.tables.map((spec) => [spec.table, spec]));

    it('the golden envelopes are this source’s and cover every operation it declares', () => {
      expect(
        golden.filter((e) => e.source !== plugin.name || !plugin.operations.includes(e.operation)),
      ).toEqual([]);
      expect(plugin.operations.filter((op) => !golden.some((e) => e.operation === op))).toEqual([]);
    });

    it.each(golden.map((e) => [e.operation, e.requestKey, e] as const))(
      '%s (%s): rows fit the tables, with their conflict keys',
      (_op, _key, envelope) => {
        const { rows } = parser.parse(envelope);
        for (const [table, tableRows] of Object.entries(rows)) {
          const spec = tables.get(table);
          expect({ table, declared: spec !== undefined }).toEqual({ table, declared: true });
          const columns = new Set([
            ...spec!.columns.map((c) => c.name),
            ...(spec!.partialFlag ? [spec!.partialFlag] : []),
          ]);
          for (const row of tableRows) {
            expect({ table, unknownColumns: Object.keys(row).filter((name) => !columns.has(name)) }).toEqual({
              table,
              unknownColumns: [],
            });
            expect({
              table,
              missingKey: spec!.conflictKey.filter((name) => row[name] === undefined || row[name] === null),
            }).toEqual({ table, missingKey: [] });
          }
        }
      },
    );

    it('parsing is deterministic and does not change the envelope; unknown metrics are names', () => {
      for (const envelope of golden) {
        const before = structuredClone(envelope);
        const first: ParseResult = parser.parse(envelope);
        expect(envelope).toEqual(before);
        expect(parser.parse(structuredClone(envelope))).toEqual(first);
        expect(first.unknownMetrics.every((name) => typeof name === 'string' && name !== '')).toBe(true);
      }
    });

    describe('golden replay (PostgreSQL)', () => {
      let db: TestDatabase;
      let pool: Pool;
      // a connection lost while the test runs fails it; one the teardown's DROP … (FORCE) ends is not an error
      const lostConnections: Error[] = [];

      beforeAll(async () => {
        db = await createTestDatabase();
        // the template database has the registered sources' migrations; a source registered only in a
        // test file (test/sources/echo) gets its own here
        await migrateUp(db.url, allMigrations(), { silent: true });
        pool = createPool({ connectionString: db.url, max: 2 }, (error) => void lostConnections.push(error));
      });

      afterAll(async () => {
        await pool?.end();
        await db?.drop();
      });

      it('loaded twice, leaves identical tables; every table gets rows; unknown metrics are counted', async () => {
        const first = await loadEnvelopes(pool, conformance.goldenEnvelopes());
        expect(first.poison).toEqual([]);
        const unknown: Record<string, number> = {};
        for (const envelope of golden)
          for (const name of new Set(parser.parse(envelope).unknownMetrics))
            unknown[name] = (unknown[name] ?? 0) + 1;
        expect(first.unknownMetrics).toEqual(unknown);
        const afterFirst = await snapshot(pool, plugin);
        expect(
          Object.entries(afterFirst)
            .filter(([, rows]) => rows.length === 0)
            .map(([table]) => table),
        ).toEqual([]);
        for (const spec of plugin.tables)
          expect({ table: spec.table, inserted: first.rows[spec.table]?.inserted }).toEqual({
            table: spec.table,
            inserted: afterFirst[spec.table].length,
          });

        const second = await loadEnvelopes(pool, conformance.goldenEnvelopes());
        expect(second.poison).toEqual([]);
        expect(await snapshot(pool, plugin)).toEqual(afterFirst);
        for (const spec of plugin.tables)
          expect({ table: spec.table, inserted: second.rows[spec.table]?.inserted ?? 0 }).toEqual({
            table: spec.table,
            inserted: 0,
          });
        expect(lostConnections).toEqual([]);
      });
    });
  });
}

/** Every row of the source's tables in a stable order, without the bookkeeping timestamps a write sets. */
async function snapshot(pool: Pool, plugin: SourcePlugin): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const { table } of plugin.tables) {
    const { rows } = await pool.query<{ row: unknown }>(
      `SELECT to_jsonb(t) - 'created_at' - 'updated_at' AS row FROM ${table} t ORDER BY to_jsonb(t)::text`,
    );
    result[table] = rows.map((r) => r.row);
  }
  return result;
}
