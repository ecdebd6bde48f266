import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { csvField, decodeCursor, encodeCursor, maskSensitive, rowEncoder } from './row-format';

describe('Admin > Query > maskSensitive', () => {
  it('masks property secrets at any depth, keeps the rest and nulls', () => {
    const payload = {
      id: 7,
      wifiUsername: 'guest',
      wifiPassword: 'hunter2',
      doorCode: '1234',
      nested: { lockboxCode: 'A9', clientSecret: { sealed: 'v1:k1:abc' }, name: 'Loft' },
      list: [{ doorSecurityCode: null, airbnbPassword: 'x' }],
    };
    expect(maskSensitive(payload)).toEqual({
      id: 7,
      wifiUsername: '***',
      wifiPassword: '***',
      doorCode: '***',
      nested: { lockboxCode: '***', clientSecret: '***', name: 'Loft' },
      list: [{ doorSecurityCode: null, airbnbPassword: '***' }],
    });
  });
});

describe('Admin > Query > CSV and NDJSON', () => {
  it('quotes fields with separators, quotes and line breaks; objects as JSON; null empty', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
    expect(csvField(null)).toBe('');
    expect(csvField(0)).toBe('0');
  });

  it('CSV: header then masked rows in column order; an empty result is the header alone', async () => {
    const rows = [
      { id: 1, raw_payload: { doorCode: '1234', city: 'Lisbon' } },
      { id: 2, raw_payload: null },
    ];
    expect(await text(Readable.from(rows).pipe(rowEncoder('csv', ['id', 'raw_payload'])))).toBe(
      'id,raw_payload\r\n1,"{""doorCode"":""***"",""city"":""Lisbon""}"\r\n2,\r\n',
    );
    expect(await text(Readable.from([]).pipe(rowEncoder('csv', ['id', 'raw_payload'])))).toBe(
      'id,raw_payload\r\n',
    );
  });

  it('NDJSON: one masked object per line', async () => {
    const rows = [{ id: 1, raw_payload: { wifiPassword: 'p' } }];
    expect(await text(Readable.from(rows).pipe(rowEncoder('ndjson', ['id'])))).toBe(
      '{"id":1,"raw_payload":{"wifiPassword":"***"}}\n',
    );
  });
});

describe('Admin > Query > cursor', () => {
  it('round-trips key values as strings and rejects foreign cursors', () => {
    const cursor = encodeCursor(['6001', 42, '2026-11-05']);
    expect(decodeCursor(cursor, 3)).toEqual(['6001', '42', '2026-11-05']);
    expect(decodeCursor(cursor, 2)).toBeNull();
    expect(decodeCursor('not-a-cursor', 3)).toBeNull();
  });
});
