import { exampleAccountEvent, exampleSyncEvent, type AccountEvent } from '@staysync/contracts';
import { PoisonMessageError, TransientError } from '@staysync/core';
import {
  createSchemaRegistryCodec,
  InvalidMessageError,
  InvalidOutgoingMessageError,
  type ValueCodec,
} from '@staysync/kafka';
import { randomTopicPrefix, waitFor } from '@staysync/testing';
import { startFakeSchemaRegistry, type FakeSchemaRegistry } from './fake-schema-registry';
import { recordingHandler, setUpTestKafka, type TestKafka } from './support';

describe('Kafka > Schema Registry codec (fake registry)', () => {
  let registry: FakeSchemaRegistry;

  beforeAll(async () => {
    registry = await startFakeSchemaRegistry();
  });

  afterAll(async () => {
    await registry.stop();
  });

  it('registers the topic schema once under <topic>-value and frames values as magic byte 0 + schema id + JSON', async () => {
    const prefix = randomTopicPrefix();
    const codec = createSchemaRegistryCodec({ url: registry.url, topicPrefix: prefix });

    const first = await codec.encode('accounts.events', exampleAccountEvent);
    const second = await codec.encode('accounts.events', { ...exampleAccountEvent, type: 'deleted' });

    const subject = `${prefix}accounts.events.v1-value`;
    const [schemaId] = registry.subjects.get(subject)!;
    expect(first[0]).toBe(0);
    expect(first.readInt32BE(1)).toBe(schemaId);
    expect(JSON.parse(first.subarray(5).toString())).toEqual(exampleAccountEvent);
    expect(second.readInt32BE(1)).toBe(schemaId);
    expect(
      registry.requests.filter((r) => r.method === 'POST' && r.path === `/subjects/${subject}/versions`),
    ).toHaveLength(1);
    await expect(codec.decode('accounts.events', first)).resolves.toEqual(exampleAccountEvent);
  });

  it('a second process finds the already registered schema by lookup', async () => {
    const prefix = randomTopicPrefix();
    const producerSide = createSchemaRegistryCodec({ url: registry.url, topicPrefix: prefix });
    const id = await producerSide.schemaIdFor('sync.events');
    const registrations = registry.requests.filter((r) => r.path.endsWith('/versions')).length;

    const otherProcess = createSchemaRegistryCodec({ url: registry.url, topicPrefix: prefix });
    await expect(otherProcess.schemaIdFor('sync.events')).resolves.toBe(id);
    expect(registry.requests.filter((r) => r.path.endsWith('/versions')).length).toBe(registrations);
  });

  it('validates with the topic schema on both sides', async () => {
    const codec = createSchemaRegistryCodec({ url: registry.url, topicPrefix: randomTopicPrefix() });
    const leaky = { ...exampleAccountEvent, apiKey: 'secret' } as AccountEvent;
    await expect(codec.encode('accounts.events', leaky)).rejects.toThrow(InvalidOutgoingMessageError);

    // a value framed with a valid schema id, but breaking the reader's schema (wrong format)
    const id = await codec.schemaIdFor('sync.events');
    const framed = frame(id, { ...exampleSyncEvent, at: 'yesterday' });
    await expect(codec.decode('sync.events', framed)).rejects.toMatchObject({
      stage: 'validate',
      message: expect.stringContaining('/at must match format "date-time"'),
    });
  });

  it.each([
    [
      'plain JSON without the wire header',
      Buffer.from('{"a":1}'),
      /not in the Schema Registry wire format: first byte 0x7b '\{'/,
    ],
    ['an unknown schema id', frame(9_999, {}), /schema id 9999 is unknown to the Schema Registry/],
    [
      'a payload that is not JSON',
      Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from('{oops')]),
      /not valid JSON/,
    ],
  ])('decoding %s is poison (stage decode)', async (_case, bytes, reason) => {
    const codec = createSchemaRegistryCodec({ url: registry.url, topicPrefix: randomTopicPrefix() });
    await codec.schemaIdFor('sync.events'); // makes sure schema id 1 exists
    const error = await codec.decode('sync.events', bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error).toMatchObject({ stage: 'decode' });
    expect((error as Error).message).toMatch(reason);
  });

  it('an unreachable registry is transient, never poison', async () => {
    const down = await startFakeSchemaRegistry();
    await down.stop();
    const codec = createSchemaRegistryCodec({ url: down.url, topicPrefix: randomTopicPrefix() });
    const error = await codec.decode('sync.events', frame(1, exampleSyncEvent)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).not.toBeInstanceOf(PoisonMessageError);
  });

  describe('through the broker', () => {
    let kafka: TestKafka;

    afterAll(async () => {
      await kafka?.close();
    });

    it('produces the wire format and consumes it back as validated values', async () => {
      const prefix = randomTopicPrefix();
      const codec = createSchemaRegistryCodec({ url: registry.url, topicPrefix: prefix });
      // records the bytes the consumer gets, to check the framing on the wire
      const onTheWire: Buffer[] = [];
      const spyingCodec: ValueCodec = {
        encode: (topicId, value) => codec.encode(topicId, value),
        decode: (topicId, bytes) => {
          if (bytes) onTheWire.push(bytes);
          return codec.decode(topicId, bytes);
        },
      };
      kafka = await setUpTestKafka({ codec: spyingCodec, prefix });
      const received = recordingHandler<'accounts.events'>();
      await kafka.consumer({ topics: ['accounts.events'], handler: received.handler }).start();

      await kafka.producer.send('accounts.events', [{ key: 'airbnb:acc-42', value: exampleAccountEvent }]);

      await waitFor(() => received.messages().length === 1, { what: 'the account event' });
      expect(received.messages()[0].value).toEqual(exampleAccountEvent);
      const schemaId = registry.subjects.get(`${prefix}accounts.events.v1-value`)![0];
      expect(onTheWire[0][0]).toBe(0);
      expect(onTheWire[0].readInt32BE(1)).toBe(schemaId);
    });
  });
});

function frame(schemaId: number, value: unknown): Buffer {
  const header = Buffer.alloc(5);
  header.writeInt32BE(schemaId, 1);
  return Buffer.concat([header, Buffer.from(JSON.stringify(value))]);
}
