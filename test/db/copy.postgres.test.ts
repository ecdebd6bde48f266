import { Client } from 'pg';
import { copyRows, JsonText } from '@staysync/db';
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

  it('writes serialized JSON (JsonText) as its bytes: escapes, whitespace of pretty-printed JSON, digits a double drops', async () => {
    await client.query(`TRUNCATE copied`);
    const texts = [
      '{"s":"tab\\there \\"q\\" back\\\\slash \\u00e9 ü 🏠","n":0.12345678901234567890123}',
      '{\n\t"pretty": [1,\r\n  2],\n\t"s": "\\\\N"\n}',
      'null',
      `{"big":"${'\\\\'.repeat(3 << 19)}"}`,
    ];
    await copyRows(
      client,
      'public.copied',
      ['id', 'doc'],
      new Map([['doc', 'jsonb']]),
      texts.map((text, i) => ({ id: i + 1, doc: new JsonText(Buffer.from(text)) })),
    );

    const { rows } = await client.query<{ doc: string }>(`SELECT doc::text AS doc FROM copied ORDER BY id`);
    const expected = await client.query<{ doc: string }>(
      `SELECT t::jsonb::text AS doc FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i`,
      [texts],
    );
    expect(rows).toEqual(expected.rows);
    expect(JSON.parse(rows[0].doc)).toMatchObject({ s: 'tab\there "q" back\\slash é ü 🏠' });
    expect(rows[0].doc).toContain('0.12345678901234567890123');
    expect(rows[2].doc).toBe('null');
  });
});
