import { validatorFor } from '@staysync/contracts';
import { TransientError } from '@staysync/core';
import type { KafkaMessage } from 'kafkajs';
import { buildDeadLetter, deadLetterMessage } from './dlq';
import { InvalidMessageError } from './errors';

function kafkaMessage(overrides: Partial<KafkaMessage>): KafkaMessage {
  return {
    key: Buffer.from('airbnb:acc-1'),
    value: Buffer.from('{"nope":true}'),
    timestamp: '1714539792345',
    attributes: 0,
    offset: '41',
    headers: { traceparent: Buffer.from('00-abc-def-01') },
    ...overrides,
  } as KafkaMessage;
}

const base = {
  topic: 'p.raw.airbnb.v1',
  partition: 2,
  consumerGroup: 'loader',
  now: new Date('2024-05-01T05:05:00Z'),
};

describe('Kafka > dead letters', () => {
  it('keeps a UTF-8 value as text, with key, headers, position, stage and reason', () => {
    const error = new InvalidMessageError('validate', '/jobId must match format "uuid"');
    const letter = buildDeadLetter({ ...base, message: kafkaMessage({}), error, stage: error.stage });
    expect(letter).toEqual({
      schemaVersion: 1,
      originalTopic: 'p.raw.airbnb.v1',
      partition: 2,
      offset: '41',
      timestamp: '1714539792345',
      key: 'airbnb:acc-1',
      value: '{"nope":true}',
      valueEncoding: 'utf8',
      headers: { traceparent: '00-abc-def-01' },
      error: { message: '/jobId must match format "uuid"', kind: 'poison' },
      stage: 'validate',
      parserVersion: null,
      consumerGroup: 'loader',
      failedAt: '2024-05-01T05:05:00.000Z',
    });
    expect(validatorFor('dlq')(letter).valid).toBe(true);
  });

  it('keeps bytes that are not UTF-8 as base64, exactly', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const letter = buildDeadLetter({
      ...base,
      message: kafkaMessage({ value: bytes, key: null }),
      error: new Error('x'),
      stage: 'decode',
    });
    expect(letter).toMatchObject({ value: bytes.toString('base64'), valueEncoding: 'base64', key: null });
    expect(Buffer.from(letter.value!, 'base64')).toEqual(bytes);
  });

  it('records parse failures with the parser version and the error kind or name', () => {
    const parse = buildDeadLetter({
      ...base,
      message: kafkaMessage({}),
      error: new TypeError('metrics is not iterable'),
      stage: 'parse',
      parserVersion: 3,
    });
    expect(parse).toMatchObject({
      stage: 'parse',
      parserVersion: 3,
      error: { kind: 'TypeError', message: 'metrics is not iterable' },
    });
    const load = buildDeadLetter({
      ...base,
      message: kafkaMessage({}),
      error: new TransientError('deadlock'),
      stage: 'load',
    });
    expect(load.error.kind).toBe('transient');
    expect(
      buildDeadLetter({ ...base, message: kafkaMessage({}), error: 'a string', stage: 'load' }).error,
    ).toEqual({ message: 'a string', kind: 'unknown' });
  });

  it('truncates very long error messages', () => {
    const letter = buildDeadLetter({
      ...base,
      message: kafkaMessage({}),
      error: new Error('e'.repeat(20_000)),
      stage: 'validate',
    });
    expect(letter.error.message.length).toBeLessThan(8_100);
    expect(letter.error.message.endsWith('… (truncated)')).toBe(true);
  });

  it('is sent with the original key bytes', () => {
    const key = Buffer.from('airbnb:acc-9');
    expect(
      deadLetterMessage({ ...base, message: kafkaMessage({ key }), error: new Error('x'), stage: 'load' })
        .key,
    ).toBe(key);
  });
});
