import { randomUUID } from 'node:crypto';
import { syncCommandKey, type DeadLetter, type SyncCommand } from '@staysync/contracts';
import { TransientError } from '@staysync/core';
import type { DecodedMessage } from '@staysync/kafka';
import { waitFor } from '@staysync/testing';
import { Partitioners } from 'kafkajs';
import { commitSpy, FAST_CONSUMER, recordingHandler, setUpTestKafka, type TestKafka } from './support';

function command(accountId: string, overrides: Partial<SyncCommand> = {}): SyncCommand {
  return {
    schemaVersion: 1,
    jobId: randomUUID(),
    source: 'airbnb',
    accountId,
    mode: 'incremental',
    trigger: 'manual',
    requestedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** Sends commands one request each, so each lands in its own record batch and offsets are stable. */
async function sendCommands(kafka: TestKafka, commands: SyncCommand[]): Promise<void> {
  for (const value of commands)
    await kafka.producer.send('sync.commands', [{ key: syncCommandKey(value), value }]);
}

const MODES = [
  { mode: 'one batch at a time', pipelining: {} },
  { mode: 'pipelined', pipelining: { maxBatchesInFlight: 4 } },
];

describe.each(MODES)('Kafka > batch consumer, $mode (librdkafka mock or KAFKA_BROKERS)', ({ pipelining }) => {
  let kafka: TestKafka;

  afterEach(async () => {
    await kafka?.close();
  });

  it('round-trips validated values: key, value, headers and topic id arrive as produced', async () => {
    // Given a consumer on sync.commands
    kafka = await setUpTestKafka();
    const received = recordingHandler<'sync.commands'>();
    const consumer = kafka.consumer({ topics: ['sync.commands'], handler: received.handler, ...pipelining });
    await consumer.start();

    // When commands for two accounts are produced
    const sent = [
      command('acc-1', { window: { start: '2024-04-01', end: '2024-04-30' } }),
      command('acc-2'),
      command('acc-1'),
    ];
    await kafka.producer.send(
      'sync.commands',
      sent.map((value) => ({ key: syncCommandKey(value), value, headers: { 'x-test': 'yes' } })),
    );

    // Then they arrive decoded, in order per key
    await waitFor(() => received.messages().length === 3, { what: 'three commands' });
    const messages = received.messages();
    expect(messages.map((m) => m.value).sort(byJobId)).toEqual([...sent].sort(byJobId));
    expect(messages.filter((m) => m.key === 'airbnb:acc-1').map((m) => m.value.jobId)).toEqual([
      sent[0].jobId,
      sent[2].jobId,
    ]);
    for (const message of messages) {
      expect(message).toMatchObject({ topicId: 'sync.commands', topic: kafka.name('sync.commands') });
      expect(message.headers['x-test']?.toString()).toBe('yes');
    }
    await waitFor(async () => sum(await kafka.committed(consumer.groupId, 'sync.commands')) === 3, {
      what: 'offsets committed',
    });
  });

  it('dead-letters undecodable and invalid values with the reason, and keeps consuming', async () => {
    // Given a consumer on sync.commands and a reader of the DLQ
    kafka = await setUpTestKafka();
    const received = recordingHandler<'sync.commands'>();
    const deadLetters = recordingHandler<'dlq'>();
    const consumer = kafka.consumer({ topics: ['sync.commands'], handler: received.handler, ...pipelining });
    await Promise.all([
      consumer.start(),
      kafka.consumer({ topics: ['dlq'], handler: deadLetters.handler }).start(),
    ]);

    // When garbage and a schema-breaking value are on the wire (bypassing our producer), then a good command
    const rawProducer = kafka.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await rawProducer.connect();
    const key = 'airbnb:acc-7';
    await rawProducer.send({
      topic: kafka.name('sync.commands'),
      messages: [{ key, value: Buffer.from([0xff, 0x01, 0x7b]) }],
    });
    await rawProducer.send({
      topic: kafka.name('sync.commands'),
      messages: [
        {
          key,
          value: JSON.stringify({ ...command('acc-7'), mode: 'sometimes', password: 'hunter2' }),
          headers: { trace: 't-1' },
        },
      ],
    });
    await rawProducer.disconnect();
    const good = command('acc-7');
    await sendCommands(kafka, [good]);

    // Then both bad ones are in the DLQ with stage and reason, and the good one was handled
    await waitFor(() => deadLetters.messages().length === 2 && received.messages().length === 1, {
      what: 'two dead letters and one command',
    });
    expect(received.messages()[0].value).toEqual(good);
    const letters = deadLetters.messages().map((m) => m.value);
    const [undecodable, invalid] = [...letters].sort((a, b) => Number(a.offset) - Number(b.offset));
    expect(undecodable).toMatchObject<Partial<DeadLetter>>({
      originalTopic: kafka.name('sync.commands'),
      key,
      stage: 'decode',
      value: Buffer.from([0xff, 0x01, 0x7b]).toString('base64'),
      valueEncoding: 'base64',
      consumerGroup: consumer.groupId,
      parserVersion: null,
    });
    expect(undecodable.error.message).toMatch(/^value is not valid JSON/);
    expect(invalid).toMatchObject({
      stage: 'validate',
      valueEncoding: 'utf8',
      headers: { trace: 't-1' },
      error: { kind: 'poison' },
    });
    expect(invalid.error.message).toContain(
      '/mode must be equal to one of the allowed values: backfill, incremental, full',
    );
    expect(invalid.error.message).toContain("(root) must NOT have additional properties: 'password'");
    expect(deadLetters.messages().every((m) => m.key === key)).toBe(true);

    // and everything, poison included, is committed
    await waitFor(async () => sum(await kafka.committed(consumer.groupId, 'sync.commands')) === 3, {
      what: 'offsets committed past the poison',
    });
  });

  it('dead-letters what the handler reports as poison, with stage and parser version', async () => {
    kafka = await setUpTestKafka();
    const deadLetters = recordingHandler<'dlq'>();
    const handled: string[] = [];
    const consumer = kafka.consumer({
      topics: ['sync.commands'],
      ...pipelining,
      handler: async (batch) => {
        const poison = batch.filter((m) => m.value.accountId === 'acc-bad');
        handled.push(...batch.filter((m) => !poison.includes(m)).map((m) => m.value.accountId));
        return {
          dlq: poison.map((message) => ({
            message,
            error: new Error('listing 12 has no metrics'),
            stage: 'parse' as const,
            parserVersion: 2,
          })),
        };
      },
    });
    await Promise.all([
      consumer.start(),
      kafka.consumer({ topics: ['dlq'], handler: deadLetters.handler }).start(),
    ]);

    await sendCommands(kafka, [command('acc-bad'), command('acc-ok')]);

    await waitFor(() => deadLetters.messages().length === 1 && handled.length === 1, {
      what: 'one dead letter, one handled',
    });
    expect(deadLetters.messages()[0].value).toMatchObject({
      stage: 'parse',
      parserVersion: 2,
      error: { message: 'listing 12 has no metrics', kind: 'Error' },
    });
    expect(JSON.parse(deadLetters.messages()[0].value.value!)).toMatchObject({ accountId: 'acc-bad' });
    await waitFor(async () => sum(await kafka.committed(consumer.groupId, 'sync.commands')) === 2, {
      what: 'offsets committed',
    });
  });

  it('commits only after the handler succeeds: a failed batch is redelivered, not lost', async () => {
    // Given a handler that fails its first call
    kafka = await setUpTestKafka();
    const calls: DecodedMessage<'sync.commands'>[][] = [];
    const consumer = kafka.consumer({
      topics: ['sync.commands'],
      ...pipelining,
      handler: async (batch) => {
        calls.push(batch);
        if (calls.length === 1) throw new TransientError('database is restarting');
      },
    });
    const sent = [command('acc-3'), command('acc-3'), command('acc-3')];
    await sendCommands(kafka, sent);
    await consumer.start();

    // Then the failed messages come back and everything ends up handled and committed
    await waitFor(
      () =>
        new Set(
          calls
            .slice(1)
            .flat()
            .map((m) => m.value.jobId),
        ).size === 3,
      { what: 'all commands handled after the failure' },
    );
    const failedOffsets = calls[0].map((m) => m.offset);
    const redelivered = calls
      .slice(1)
      .flat()
      .map((m) => m.offset);
    expect(redelivered).toEqual(expect.arrayContaining(failedOffsets));
    expect(consumer.stats().retries).toBe(1);
    await waitFor(async () => sum(await kafka.committed(consumer.groupId, 'sync.commands')) === 3, {
      what: 'offsets committed',
    });
  });

  it('stops gracefully: the batch in flight finishes and is committed before stop() resolves', async () => {
    // Given three messages in one record batch and a handler that blocks on its first batch
    kafka = await setUpTestKafka();
    const sent = [command('acc-4'), command('acc-4'), command('acc-4')];
    await kafka.producer.send(
      'sync.commands',
      sent.map((value) => ({ key: syncCommandKey(value), value })),
    );
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handled: DecodedMessage<'sync.commands'>[][] = [];
    let entered = false;
    const consumer = kafka.consumer({
      topics: ['sync.commands'],
      ...pipelining,
      handler: async (batch) => {
        entered = true;
        await gate;
        handled.push(batch);
      },
    });
    await consumer.start();
    await waitFor(() => entered, { what: 'handler entered' });

    // When we stop while the handler is busy
    let stopped = false;
    const stopping = consumer.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    release();
    await stopping;

    // Then the whole batch was handled once and is committed
    expect(handled).toHaveLength(1);
    expect(handled[0].map((m) => m.value)).toEqual(sent);
    const lastHandled = Number(handled[0][handled[0].length - 1].offset);
    const committed = await kafka.committed(consumer.groupId, 'sync.commands');
    expect(committed.get(handled[0][0].partition)).toBe(String(lastHandled + 1));
  });
});

describe('Kafka > batch consumer, pipelined only', () => {
  let kafka: TestKafka;

  afterEach(async () => {
    await kafka?.close();
  });

  it('never commits past a failed batch, even when later batches of its partition finish first', async () => {
    // Given three commands of one account (one partition), each in its own record batch (one fetch each)
    kafka = await setUpTestKafka();
    const sent = [command('acc-5'), command('acc-5'), command('acc-5')];
    await sendCommands(kafka, sent);
    // and a handler whose first call waits, then fails, while the next two succeed at once
    let failFirst!: () => void;
    const firstGate = new Promise<void>((resolve) => (failFirst = resolve));
    let releaseRedelivery!: () => void;
    const redeliveryGate = new Promise<void>((resolve) => (releaseRedelivery = resolve));
    const calls: DecodedMessage<'sync.commands'>[][] = [];
    const spy = commitSpy(kafka.kafka);
    const consumer = kafka.consumer({
      kafka: spy.kafka,
      topics: ['sync.commands'],
      maxBatchesInFlight: 4,
      // a fetch returns at least one record batch whatever the limit: one record batch per fetch, as on the mock
      consumerOptions: { ...FAST_CONSUMER, maxBytesPerPartition: 1, maxBytes: 1 },
      handler: async (batch) => {
        calls.push(batch);
        if (calls.length === 1) {
          await firstGate;
          throw new TransientError('database is restarting');
        }
        if (calls.length > 3) await redeliveryGate;
      },
    });
    spy.enter('first batch in flight');
    await consumer.start();

    // When the later batches were handled while the first is still in flight
    await waitFor(() => calls.length >= 3, {
      what: 'the next batches handed over while the first is in flight',
    });

    // When the first fails: its partition goes back to it, and the later two, though handled, stay uncommitted
    spy.enter('first batch failed');
    failFirst();
    await waitFor(() => calls.length >= 4, { what: 'the redelivery' });
    expect(calls[3][0].offset).toBe(calls[0][0].offset);

    // Then once the redelivered batches succeed, all three are committed, in order, and nothing was before
    spy.enter('redelivered batches succeeded');
    releaseRedelivery();
    await waitFor(() => spy.commits.some((c) => c.offset === '3'), {
      what: 'offset 3 committed after the redelivery',
    });
    expect(spy.commits).toEqual(
      [1, 2, 3].map((offset) => ({
        partition: calls[0][0].partition,
        offset: String(offset),
        phase: 'redelivered batches succeeded',
      })),
    );
    expect(sum(await kafka.committed(consumer.groupId, 'sync.commands'))).toBe(3);
    expect(
      calls
        .slice(3)
        .flat()
        .map((m) => m.value.jobId),
    ).toEqual(expect.arrayContaining(sent.map((c) => c.jobId)));
    expect(consumer.stats().retries).toBe(1);
  });
});

function byJobId(a: SyncCommand, b: SyncCommand): number {
  return a.jobId.localeCompare(b.jobId);
}

/** Total committed messages over partitions (-1 = nothing committed). */
function sum(offsets: Map<number, string>): number {
  return [...offsets.values()].reduce((total, offset) => total + Math.max(0, Number(offset)), 0);
}
