import { Client } from 'pg';
import { copyRows } from '@staysync/db';
import { createTestDatabase, type TestDatabase } from '../harness';

describe('DB > copyRows (postgres)', () => {
  let db: TestDatabase;
  let client: Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrated: false });
    client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(`CREATE TABLE copied (id int PRIMARY KEY, label text, doc jsonb, at timestamptz)`);
  });
  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('writes values byte for byte across chunks: escapes, non-ASCII, a value larger than a chunk, NULLs', async () => {
    const types = new Map([['doc', 'jsonb']]);
    const huge = 'x'.repeat(3 << 20);
    const rows = [
      {
        id: 1,
        label: 'tab\there, new\nline, back\\slash, cr\r',
        doc: { quote: '"', emoji: '😀 ünïcödé', nested: [1, null, 'a\\b'] },
        at: new Date('2031-01-02T03:04:05.678Z'),
      },
      { id: 2, label: huge, doc: { huge }, at: null },
      ...Array.from({ length: 5000 }, (_, i) => ({
        id: 3 + i,
        label: `row ${i} → ${'é'.repeat(i % 50)}`,
        doc: { i },
        at: undefined,
      })),
    ];
    await copyRows(client, 'public.copied', ['id', 'label', 'doc', 'at'], types, rows);

    const { rows: stored } = await client.query(`SELECT id, label, doc, at FROM copied ORDER BY id`);
    expect(stored).toHaveLength(rows.length);
    expect(stored[0]).toEqual({
      id: 1,
      label: rows[0].label,
      doc: rows[0].doc,
      at: new Date('2031-01-02T03:04:05.678Z'),
    });
    expect(stored[1].label).toHaveLength(huge.length);
    expect(stored[1].doc.huge).toBe(huge);
    expect(stored[1].at).toBeNull();
    expect(stored.slice(2).map((r) => r.label)).toEqual(rows.slice(2).map((r) => r.label));
    expect(stored[4999 + 2]).toEqual({ id: 5002, label: rows[5001].label, doc: { i: 4999 }, at: null });
  });
});
