import { copyText } from './copy';

describe('copyText (COPY text format)', () => {
  it('writes NULL as \\N and escapes backslash, newline, carriage return and tab', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyText('plain')).toBe('plain');
    expect(copyText('\\N')).toBe('\\\\N');
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('')).toBe('');
  });

  it('writes numbers, booleans and dates as PostgreSQL reads them back', () => {
    expect(copyText(15)).toBe('15');
    expect(copyText(0.0011021307861866275)).toBe('0.0011021307861866275');
    expect(copyText(true)).toBe('true');
    expect(copyText(new Date('2025-01-12T00:00:00Z'))).toBe('2025-01-12T00:00:00.000Z');
  });

  it('stringifies JSON values, so a string is a JSON string and escapes inside it survive', () => {
    expect(copyText({ a: 'x\ty', b: null }, true)).toBe('{"a":"x\\\\ty","b":null}');
    expect(copyText('text', true)).toBe('"text"');
    expect(copyText(null, true)).toBe('\\N');
    expect(copyText({ nested: [1, 2] })).toBe('{"nested":[1,2]}');
  });
});
