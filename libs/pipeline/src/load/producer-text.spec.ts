import type { RawEnvelope } from '@staysync/core';
import { keepValueBytes, producerBodyText } from './producer-text';

describe('producerBodyText', () => {
  const head = {
    schemaVersion: 1,
    jobId: null,
    source: 'airbnb',
    accountId: '7',
    operation: 'ChartQuery',
    resourceId: '42',
    requestKey: '7:ChartQuery:42',
    variables: { note: 'é "quoted" \\ slash' },
    window: null,
    scrapeDate: '2026-12-01',
    fetchedAt: '2026-12-01T10:00:00.000Z',
    httpStatus: 200,
  };
  const bodyText = '{"data":{"v":[1,2.5,null],"s":"a\\"b\\\\c \\u00e9 ü"}}';
  const decoded = (text: string, bytes = Buffer.from(text)) =>
    keepValueBytes(JSON.parse(text) as RawEnvelope, bytes);
  const text = (value: Buffer | undefined) => value?.toString('utf8');

  it("gives the body's bytes of a value JSON.stringify wrote with the body last", () => {
    const value = `${JSON.stringify(head).slice(0, -1)},"body":${bodyText}}`;
    expect(text(producerBodyText(decoded(value))?.bytes)).toBe(bodyText);
  });

  it('skips the Schema Registry wire-format header', () => {
    const value = `${JSON.stringify(head).slice(0, -1)},"body":${bodyText}}`;
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, 1, 44]), Buffer.from(value)]);
    expect(text(producerBodyText(decoded(value, bytes))?.bytes)).toBe(bodyText);
  });

  it('takes a body that is the only key, or JSON null', () => {
    expect(text(producerBodyText(decoded(`{"body":${bodyText}}`))?.bytes)).toBe(bodyText);
    expect(text(producerBodyText(decoded(`${JSON.stringify(head).slice(0, -1)},"body":null}`))?.bytes)).toBe(
      'null',
    );
  });

  it('gives nothing where the text cannot be told for certain: the parsed body is serialized instead', () => {
    const body = JSON.parse(bodyText) as unknown;
    const cases = {
      'no bytes kept': keepValueBytes({ ...head, body } as RawEnvelope, undefined),
      'body not last': decoded(JSON.stringify({ body, ...head })),
      whitespace: decoded(JSON.stringify({ ...head, body }, null, 1)),
      'a trailing newline': decoded(`${JSON.stringify({ ...head, body })}\n`),
      'another escape before the body': decoded(
        JSON.stringify({ ...head, body }).replace('"7"', '"\\u0037"'),
      ),
      'no body': decoded(JSON.stringify(head)),
    };
    for (const [what, envelope] of Object.entries(cases))
      expect({ what, text: producerBodyText(envelope) }).toEqual({ what, text: undefined });
  });

  it('gives nothing for a body that is not valid UTF-8', () => {
    const value = Buffer.concat([
      Buffer.from(`${JSON.stringify(head).slice(0, -1)},"body":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}'),
    ]);
    const envelope = keepValueBytes(JSON.parse(value.toString('utf8')) as RawEnvelope, value);
    expect(producerBodyText(envelope)).toBeUndefined();
  });
});
