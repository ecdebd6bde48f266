import { exampleDeadLetter, exampleSyncCommand } from '@staysync/contracts';
import { CompressionTypes, type Kafka, type ProducerBatch, type RecordMetadata } from 'kafkajs';
import pino from 'pino';
import { createJsonCodec } from './codec';
import { createProducer } from './producer';

const settings = {
  brokers: ['x:9092'],
  clientId: 'test',
  topicPrefix: 't.',
  idempotentProducer: true,
  createTopics: true,
};

/** Our producer over kafkajs's as far as createProducer uses it: each sendBatch waits until the test lets it finish. */
function pausedProducer() {
  const requests: Array<{ batch: ProducerBatch; finish: () => void; fail: (error: Error) => void }> = [];
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: (batch: ProducerBatch) =>
      new Promise<RecordMetadata[]>((resolve, fail) => {
        const finish = () =>
          resolve(
            batch.topicMessages!.map(({ topic }, i) => ({ topicName: topic, partition: i, errorCode: 0 })),
          );
        requests.push({ batch, finish, fail });
      }),
  };
  const kafka = { producer: () => producer } as unknown as Kafka;
  const logger = pino({ level: 'silent' });
  return { producer: createProducer({ kafka, settings, codec: createJsonCodec(), logger }), requests };
}

const command = (accountId: string) => ({ ...exampleSyncCommand, accountId });
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Kafka > producer', () => {
  it('sends handed in while a request is in flight go together in the next one; each gets its own topic back', async () => {
    const { producer, requests } = pausedProducer();

    const first = producer.send('sync.commands', [{ key: 'a', value: command('1') }]);
    await tick();
    expect(requests).toHaveLength(1);
    const waiting = [
      producer.send('sync.commands', [{ key: 'b', value: command('2') }]),
      producer.send('sync.commands', [{ key: 'c', value: command('3') }]),
      producer.send('accounts.events', []),
    ];
    await tick();
    // one request in flight per compression: the two commands wait for the first request
    expect(requests).toHaveLength(1);
    requests[0].finish();
    await expect(first).resolves.toEqual([{ topicName: 't.sync.commands.v1', partition: 0, errorCode: 0 }]);
    await tick();
    expect(requests).toHaveLength(2);
    expect(requests[1].batch).toMatchObject({ acks: -1, compression: CompressionTypes.None });
    expect(
      requests[1].batch.topicMessages!.map(({ topic, messages }) => [topic, messages.map((m) => m.key)]),
    ).toEqual([
      ['t.sync.commands.v1', ['b']],
      ['t.sync.commands.v1', ['c']],
    ]);
    requests[1].finish();
    const [second, third, none] = await Promise.all(waiting);
    // the request's metadata for their topic (kafkajs reports per partition, not per send)
    const commandsTopic = [
      { topicName: 't.sync.commands.v1', partition: 0, errorCode: 0 },
      { topicName: 't.sync.commands.v1', partition: 1, errorCode: 0 },
    ];
    expect(second).toEqual(commandsTopic);
    expect(third).toEqual(commandsTopic);
    expect(none).toEqual([]);
  });

  it('a gzip topic goes in its own request, alongside; a broker failure reaches every send of its request', async () => {
    const { producer, requests } = pausedProducer();
    const plain = producer.send('sync.commands', [{ key: 'a', value: command('1') }]);
    const letter = producer.send('dlq', [{ key: 'k', value: exampleDeadLetter }]);
    await tick();
    expect(requests.map((r) => r.batch.compression)).toEqual([CompressionTypes.None, CompressionTypes.GZIP]);
    requests[0].finish();
    requests[1].finish();
    await expect(plain).resolves.toHaveLength(1);
    await expect(letter).resolves.toHaveLength(1);

    const blocker = producer.send('sync.commands', [{ key: 'a', value: command('1') }]);
    await tick();
    const together = [
      producer.send('sync.commands', [{ key: 'b', value: command('2') }]),
      producer.send('sync.commands', [{ key: 'c', value: command('3') }]),
    ];
    requests[2].finish();
    await blocker;
    await tick();
    requests[3].fail(new Error('the broker went away'));
    for (const send of together) {
      const error = await send.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('the broker went away');
    }
  });
});
