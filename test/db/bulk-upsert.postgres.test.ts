import { Client } from 'pg';
import type { TableSpec } from '@staysync/core';
import { PARAMETER_ROWS, upsertRows } from '@staysync/db';
import { createTestDatabase, type TestDatabase } from '../harness';

const metrics: TableSpec = {
  table: 'public.metrics',
  columns: [
    { name: 'id', type: 'text' },
    { name: 'day', type: 'date' },
    { name: 'a', type: 'int8' },
    { name: 'b', type: 'float8' },
    { name: 'extra', type: 'jsonb' },
  ],
  conflictKey: ['id', 'day'],
  mode: 'merge-present',
};

const payloads: TableSpec = {
  table: 'public.payloads',
  columns: [
    { name: 'id', type: 'int8' },
    { name: 'raw_payload', type: 'jsonb' },
  ],
  conflictKey: ['id'],
  mode: 'if-changed',
  changeColumn: 'raw_payload',
};

const versioned: TableSpec = {
  table: 'public.versioned',
  columns: [
    { name: 'id', type: 'int8' },
    { name: 'raw_payload', type: 'jsonb' },
    { name: 'observed_at', type: 'timestamptz' },
  ],
  conflictKey: ['id'],
  mode: 'if-changed',
  changeColumn: 'raw_payload',
  versionColumn: 'observed_at',
};

/** A table of every type the upsert converts, with a spec for it. */
const TYPED_COLUMNS = `id text, day date, n bigint, f double precision, ok boolean, at timestamptz, extra jsonb, untouched text, UNIQUE (id, day)`;
const typedSpec = (table: string): TableSpec => ({
  table: `public.${table}`,
  columns: [
    { name: 'id', type: 'text' },
    { name: 'day', type: 'date' },
    { name: 'n', type: 'int8' },
    { name: 'f', type: 'float8' },
    { name: 'ok', type: 'bool' },
    { name: 'at', type: 'timestamptz' },
    { name: 'extra', type: 'jsonb' },
    { name: 'untouched', type: 'text' },
  ],
  conflictKey: ['id', 'day'],
  mode: 'merge-present',
});

/** The client, recording the text of every statement sent through it. */
function recordingStatements(client: Client): { spy: Client; statements: string[] } {
  const statements: string[] = [];
  const spy = new Proxy(client, {
    get: (target, property) =>
      property === 'query'
        ? (query: string | { text: string }, ...rest: unknown[]) => {
            statements.push(typeof query === 'string' ? query : query.text);
            return (target.query as (...args: unknown[]) => unknown)(query, ...rest);
          }
        : Reflect.get(target, property, target),
  });
  return { spy, statements };
}

describe('DB > upsertRows (postgres)', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `CREATE TABLE metrics (id text, day date, a bigint, b double precision, extra jsonb, UNIQUE (id, day))`,
    );
    await client.query(
      `CREATE TABLE payloads (id bigint PRIMARY KEY, raw_payload jsonb, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT clock_timestamp())`,
    );
    await client.query(
      `CREATE TABLE versioned (id bigint PRIMARY KEY, raw_payload jsonb, observed_at timestamptz, updated_at timestamptz DEFAULT now())`,
    );
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('merge-present: a row carrying some columns never nulls the others; nulls it carries are kept', async () => {
    expect(await upsertRows(client, metrics, [{ id: 'x', day: '2025-01-01', a: 1 }])).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(
      await upsertRows(client, metrics, [{ id: 'x', day: '2025-01-01', b: 0.5, extra: { new_metric: 3 } }]),
    ).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    await upsertRows(client, metrics, [{ id: 'x', day: '2025-01-01', extra: { other: 4 } }]);
    const { rows } = await client.query('SELECT a::int, b, extra FROM metrics');
    expect(rows).toEqual([{ a: 1, b: 0.5, extra: { new_metric: 3, other: 4 } }]);
    await upsertRows(client, metrics, [{ id: 'x', day: '2025-01-01', a: null }]);
    expect((await client.query('SELECT a, b FROM metrics')).rows).toEqual([{ a: null, b: 0.5 }]);
  });

  it('merges duplicate keys inside one batch instead of failing, and handles ragged rows', async () => {
    const counts = await upsertRows(client, metrics, [
      { id: 'y', day: '2025-01-02', a: 1 },
      { id: 'y', day: '2025-01-02', b: 2.5 },
      { id: 'z', day: '2025-01-02', a: 7 },
    ]);
    expect(counts.inserted).toBe(2);
    const { rows } = await client.query(
      `SELECT id, a::int, b FROM metrics WHERE day = '2025-01-02' ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'y', a: 1, b: 2.5 },
      { id: 'z', a: 7, b: null },
    ]);
  });

  it('if-changed: an identical payload updates nothing and leaves updated_at alone', async () => {
    expect(await upsertRows(client, payloads, [{ id: 1, raw_payload: { a: 1, b: [1, 2] } }])).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
    });
    const before = (await client.query('SELECT updated_at FROM payloads WHERE id = 1')).rows[0].updated_at;
    expect(await upsertRows(client, payloads, [{ id: 1, raw_payload: { b: [1, 2], a: 1 } }])).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 1,
    });
    expect((await client.query('SELECT updated_at FROM payloads WHERE id = 1')).rows[0].updated_at).toEqual(
      before,
    );
    expect(await upsertRows(client, payloads, [{ id: 1, raw_payload: { a: 2 } }])).toEqual({
      inserted: 0,
      updated: 1,
      unchanged: 0,
    });
  });

  it('if-changed with a version column: an older observation never overwrites a newer one, in or across batches', async () => {
    await upsertRows(client, versioned, [
      { id: 1, raw_payload: { status: 'cancelled' }, observed_at: '2025-07-02T10:00:00Z' },
    ]);
    expect(
      await upsertRows(client, versioned, [
        { id: 1, raw_payload: { status: 'new' }, observed_at: '2025-07-02T09:00:00Z' },
      ]),
    ).toEqual({
      inserted: 0,
      updated: 0,
      unchanged: 1,
    });
    expect(
      await upsertRows(client, versioned, [
        { id: 1, raw_payload: { status: 'modified' }, observed_at: '2025-07-02T12:00:00Z' },
        { id: 1, raw_payload: { status: 'new' }, observed_at: '2025-07-02T11:00:00Z' },
      ]),
    ).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    expect(
      (await client.query('SELECT raw_payload FROM versioned WHERE id = 1')).rows[0].raw_payload,
    ).toEqual({ status: 'modified' });
  });

  it('writes thousands of rows with one COPY and one INSERT per column set, in its own transaction when there is none', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      id: `bulk-${i}`,
      day: '2025-02-01',
      a: i,
      b: i / 2,
    }));
    const { spy, statements } = recordingStatements(client);
    const counts = await upsertRows(spy, metrics, rows);
    expect(counts).toEqual({ inserted: 5000, updated: 0, unchanged: 0 });
    expect(statements.map((s) => s.split(' ')[0])).toEqual([
      'BEGIN',
      'CREATE',
      'COPY',
      'INSERT',
      'DELETE',
      'COMMIT',
    ]);
    expect(
      (await client.query(`SELECT count(*)::int AS n FROM metrics WHERE day = '2025-02-01'`)).rows[0].n,
    ).toBe(5000);
  });

  it("joins the caller's transaction: its ROLLBACK undoes the upsert", async () => {
    await client.query('BEGIN');
    await upsertRows(client, metrics, [{ id: 'rolled-back', day: '2025-03-01', a: 1 }]);
    await client.query('ROLLBACK');
    expect(
      (await client.query(`SELECT count(*)::int AS n FROM metrics WHERE id = 'rolled-back'`)).rows[0].n,
    ).toBe(0);
  });

  it('two calls for one table in one transaction: the second writes only its own rows', async () => {
    await client.query('BEGIN');
    expect(await upsertRows(client, metrics, [{ id: 'twice', day: '2025-03-02', a: 1 }])).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
    });
    expect(await upsertRows(client, metrics, [{ id: 'twice', day: '2025-03-02', b: 2.5 }])).toEqual({
      inserted: 0,
      updated: 1,
      unchanged: 0,
    });
    expect(await upsertRows(client, metrics, [{ id: 'other', day: '2025-03-02', a: 3 }])).toEqual({
      inserted: 1,
      updated: 0,
      unchanged: 0,
    });
    await client.query('COMMIT');
    const { rows } = await client.query(
      `SELECT id, a::int, b FROM metrics WHERE day = '2025-03-02' ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'other', a: 3, b: null },
      { id: 'twice', a: 1, b: 2.5 },
    ]);
  });

  it('a spec that changes (a migration added a column) gets its own staging table in the same session', async () => {
    await client.query(`CREATE TABLE evolving (id text PRIMARY KEY, amount numeric(6,2))`);
    const before: TableSpec = {
      table: 'public.evolving',
      columns: [
        { name: 'id', type: 'text' },
        { name: 'amount', type: 'numeric(6,2)' },
      ],
      conflictKey: ['id'],
      mode: 'merge-present',
    };
    // more rows than go in as parameters: through the staging table
    const fillers = Array.from({ length: PARAMETER_ROWS }, (_, i) => ({ id: `f${i}`, amount: 1 }));
    await upsertRows(client, before, [{ id: 'e', amount: 1.25 }, ...fillers]);
    await client.query(`ALTER TABLE evolving ALTER amount TYPE numeric(10,4), ADD COLUMN note text`);
    const after: TableSpec = {
      ...before,
      columns: [
        { name: 'id', type: 'text' },
        { name: 'amount', type: 'numeric(10,4)' },
        { name: 'note', type: 'text' },
      ],
    };
    await upsertRows(client, after, [{ id: 'e', amount: 1.2345, note: 'kept' }, ...fillers]);
    expect((await client.query(`SELECT amount::text, note FROM evolving WHERE id = 'e'`)).rows).toEqual([
      { amount: '1.2345', note: 'kept' },
    ]);
  });

  it('returnStored: every written row as to_jsonb(row) gives it, the stored state after a merge included', async () => {
    await client.query(`CREATE TABLE typed (${TYPED_COLUMNS})`);
    const typed = typedSpec('typed');
    await upsertRows(client, typed, [{ id: 'k', day: '2025-04-01', untouched: 'kept', extra: { old: 1 } }]);
    const result = await upsertRows(
      client,
      typed,
      [
        {
          id: 'k',
          day: '2025-04-01',
          n: 9007199254740991,
          f: 1e-7,
          ok: true,
          at: '2025-04-01T10:00:00.5Z',
          extra: { b: [1, 2.5], a: null },
        },
        { id: 'new', day: '2025-04-02', n: -3, f: Number.NaN, ok: false, at: '2025-04-02T00:00:00+02:00' },
        { id: 'tabs\tand\nlines', day: '2025-04-03', f: 0.1 },
      ],
      { returnStored: true },
    );
    const { rows: expected } = await client.query(
      `SELECT to_jsonb(t) AS row FROM typed t WHERE id <> 'other' ORDER BY id, day`,
    );
    const byId = (a: { id: unknown }, b: { id: unknown }) => String(a.id).localeCompare(String(b.id));
    expect([...(result.stored ?? [])].sort(byId as never)).toEqual(expected.map((r) => r.row).sort(byId));
    expect(result.stored?.find((r) => r.id === 'k')).toMatchObject({
      untouched: 'kept',
      extra: { old: 1, a: null, b: [1, 2.5] },
      n: 9007199254740991,
      f: 1e-7,
    });
    expect(result.stored?.find((r) => r.id === 'new')).toMatchObject({
      f: 'NaN',
      ok: false,
      day: '2025-04-02',
    });
  });

  it('a few rows go in one statement as parameters, more through COPY; both store exactly the same values', async () => {
    // values whose text needs escaping in COPY or in an array literal, NULLs, and each type's input function
    const awkward = [
      'tab\there',
      'line\nbreak\r\n',
      'back\\slash',
      '"quoted", {braced}',
      'NULL',
      '\\N',
      '',
      'ünïcödé ✓',
    ];
    const rowsFor = (count: number) =>
      Array.from({ length: count }, (_, i) => ({
        id: i < awkward.length ? awkward[i] : `filler-${i}`,
        day: i % 3 === 0 ? '2025-05-01' : new Date(Date.UTC(2025, 4, 2)),
        n: i % 4 === 0 ? null : -i * 1_000_000_007,
        f: [Number.NaN, 1e-7, -0.5, Infinity][i % 4],
        ok: i % 2 === 0,
        at: i % 5 === 0 ? null : '2025-05-01T10:00:00.123+02:00',
        extra: i % 2 ? { s: awkward[i % awkward.length], list: [1, null, 'x'] } : 'a json string',
        untouched: i % 6 === 0 ? null : awkward[(i + 3) % awkward.length],
      }));
    await client.query(`CREATE TABLE few (${TYPED_COLUMNS}); CREATE TABLE many (${TYPED_COLUMNS})`);
    const statementsOf = async (table: string, rows: ReturnType<typeof rowsFor>) => {
      const { spy, statements } = recordingStatements(client);
      await upsertRows(spy, typedSpec(table), rows);
      return statements.map((statement) => statement.split(' ')[0]);
    };
    const few = rowsFor(PARAMETER_ROWS);
    const many = rowsFor(PARAMETER_ROWS + 1);
    expect(await statementsOf('few', few)).toEqual(['BEGIN', 'INSERT', 'COMMIT']);
    expect(await statementsOf('many', many)).toEqual([
      'BEGIN',
      'CREATE',
      'COPY',
      'INSERT',
      'DELETE',
      'COMMIT',
    ]);
    const stored = async (table: string) =>
      (
        await client.query(
          `SELECT to_jsonb(t)::text AS row FROM ${table} t WHERE id NOT LIKE 'filler-%' OR id = 'filler-${PARAMETER_ROWS - 1}' ORDER BY id, day`,
        )
      ).rows.map((r) => r.row as string);
    const fromParameters = await stored('few');
    expect(fromParameters).toHaveLength(awkward.length + 1);
    expect(await stored('many')).toEqual(fromParameters);
    expect(JSON.parse(fromParameters.find((r) => r.includes('"back\\\\slash"'))!)).toMatchObject({
      id: 'back\\slash',
      n: -2_000_000_014,
      f: -0.5,
      day: '2025-05-02',
    });
  });
});
