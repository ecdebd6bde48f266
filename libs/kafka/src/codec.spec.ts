import { exampleSyncCommand, exampleRawEnvelope } from '@staysync/contracts';
import { PoisonMessageError } from '@staysync/core';
import { createJsonCodec } from './codec';
import { InvalidMessageError, InvalidOutgoingMessageError } from './errors';

describe('Kafka > JSON codec', () => {
  const codec = createJsonCodec();

  it('round-trips a valid value', async () => {
    const bytes = await codec.encode('sync.commands', exampleSyncCommand);
    expect(JSON.parse(bytes.toString())).toEqual(exampleSyncCommand);
    await expect(codec.decode('sync.commands', bytes)).resolves.toEqual(exampleSyncCommand);
  });

  it('refuses to encode an invalid value, with a plain (non-poison) error saying why', async () => {
    const invalid = { ...exampleSyncCommand, mode: 'sometimes' } as unknown as typeof exampleSyncCommand;
    const attempt = codec.encode('sync.commands', invalid);
    await expect(attempt).rejects.toThrow(InvalidOutgoingMessageError);
    await expect(attempt).rejects.toThrow(
      'refusing to send an invalid sync.commands value: /mode must be equal to one of the allowed values: backfill, incremental, full',
    );
    await expect(attempt).rejects.not.toBeInstanceOf(PoisonMessageError);
  });

  it.each([
    ['bytes that are not JSON', Buffer.from('{"schemaVersion":1,'), 'decode', /^value is not valid JSON: /],
    ['a tombstone', null, 'decode', /^message has no value \(a tombstone\)/],
    [
      'Schema Registry framing without a registry',
      Buffer.from([0, 0, 0, 0, 7, 0x7b, 0x7d]),
      'decode',
      /first byte 0x00.*set SCHEMA_REGISTRY_URL/,
    ],
    [
      'JSON that breaks the schema',
      Buffer.from(JSON.stringify({ ...exampleRawEnvelope, httpStatus: 'ok', secret: 'x' })),
      'validate',
      /^raw\.airbnb\.v1 value does not match its schema: (?=.*\/httpStatus must be integer)(?=.*\(root\) must NOT have additional properties: 'secret')/,
    ],
  ] as const)(
    'decoding %s throws a poison error with stage and reason',
    async (_case, bytes, stage, reason) => {
      const error = await codec.decode('raw.airbnb', bytes).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidMessageError);
      expect(error).toBeInstanceOf(PoisonMessageError);
      expect(error).toMatchObject({ stage, kind: 'poison', retriable: false });
      expect((error as Error).message).toMatch(reason);
    },
  );
});
