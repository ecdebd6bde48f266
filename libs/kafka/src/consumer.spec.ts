import { exampleSyncCommand, type DeadLetter } from '@staysync/contracts';
import { TransientError } from '@staysync/core';
import type { EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { createJsonCodec, type ValueCodec } from './codec';
import { createBatchConsumer, type BatchHandler } from './consumer';
import type { KafkaProducer, OutgoingMessage } from './producer';
import type { KafkaSettings } from './settings';

// The broker-facing behaviour is covered in test/kafka; these specs drive eachBatch directly to
// check what is resolved, committed, paused and dead-lettered in each outcome.

const settings: KafkaSettings = {
  brokers: ['unused:9092'],
  clientId: 'spec',
  topicPrefix: 'p.',
  idempotentProducer: false,
  createTopics: false,
};
const TOPIC = 'p.sync.commands.v1';

function message(offset: number, value: unknown): KafkaMessage {
  const bytes = typeof value === 'string' ? Buffer.from(value) : Buffer.from(JSON.stringify(value));
  return {
    key: Buffer.from('airbnb:acc-1'),
    value: bytes,
    timestamp: '0',
    attributes: 0,
    offset: String(offset),
    headers: {},
  };
}

function setUp(options: {
  handler: BatchHandler<'sync.commands'>;
  codec?: ValueCodec;
  sendToDlq?: () => Promise<void>;
}) {
  let eachBatch: ((payload: EachBatchPayload) => Promise<void>) | undefined;
  const kafkajsConsumer = {
    connect: jest.fn(),
    subscribe: jest.fn(),
    run: jest.fn(async (config: { eachBatch: typeof eachBatch }) => {
      eachBatch = config.eachBatch;
    }),
    stop: jest.fn(),
    disconnect: jest.fn(),
    on: jest.fn(),
    events: { CRASH: 'consumer.crash' },
  };
  const kafka = { consumer: () => kafkajsConsumer } as unknown as Kafka;
  const deadLetters: DeadLetter[] = [];
  const producer: KafkaProducer = {
    connect: jest.fn(),
    disconnect: jest.fn(),
    send: jest.fn(async (_topicId: string, messages: OutgoingMessage<'dlq'>[]) => {
      await options.sendToDlq?.();
      deadLetters.push(...messages.map((m) => m.value));
      return [];
    }) as KafkaProducer['send'],
  };
  const consumer = createBatchConsumer({
    kafka,
    settings,
    groupId: 'g',
    topics: ['sync.commands'],
    codec: options.codec ?? createJsonCodec(),
    logger: pino({ level: 'silent' }),
    producer,
    handler: options.handler,
    retryBackoff: { initialMs: 1_000, maxMs: 1_000 },
  });

  async function deliver(messages: KafkaMessage[], state: { running?: boolean } = {}) {
    const seen = { resolved: [] as string[], commits: 0, paused: 0, resumed: 0 };
    const payload = {
      batch: {
        topic: TOPIC,
        partition: 0,
        highWatermark: String(messages.length),
        messages,
        isEmpty: () => messages.length === 0,
        firstOffset: () => messages[0]?.offset ?? null,
        lastOffset: () => messages[messages.length - 1].offset,
        offsetLag: () => '0',
        offsetLagLow: () => '0',
      },
      resolveOffset: (offset: string) => seen.resolved.push(offset),
      heartbeat: async () => undefined,
      pause: () => {
        seen.paused += 1;
        return () => (seen.resumed += 1);
      },
      commitOffsetsIfNecessary: async () => {
        seen.commits += 1;
      },
      uncommittedOffsets: () => ({ topics: [] }),
      isRunning: () => state.running ?? true,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    await eachBatch!(payload);
    return seen;
  }

  return { consumer, deliver, deadLetters };
}

describe('Kafka > batch consumer > one batch', () => {
  afterEach(() => jest.useRealTimers());

  it('hands good messages to the handler once, dead-letters the rest, then resolves the batch and commits', async () => {
    const handler = jest.fn<
      ReturnType<BatchHandler<'sync.commands'>>,
      Parameters<BatchHandler<'sync.commands'>>
    >(async (batch) => ({
      dlq: [{ message: batch[1], error: new Error('unknown listing'), stage: 'parse', parserVersion: 4 }],
    }));
    const { consumer, deliver, deadLetters } = setUp({ handler });
    await consumer.start();

    const good = { ...exampleSyncCommand, accountId: 'acc-2' };
    const seen = await deliver([message(0, exampleSyncCommand), message(1, 'not json'), message(2, good)]);

    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler.mock.calls[0][0].map((m) => m.offset)).toEqual(['0', '2']);
    expect(deadLetters.map((l) => [l.offset, l.stage, l.parserVersion])).toEqual([
      ['1', 'decode', null],
      ['2', 'parse', 4],
    ]);
    expect(seen).toEqual({ resolved: ['2'], commits: 1, paused: 0, resumed: 0 });
    expect(consumer.stats()).toEqual({ batches: 1, messages: 3, deadLetters: 2, retries: 0 });
  });

  it('leaves a failed batch unresolved and uncommitted, pauses the partition and resumes it after the backoff', async () => {
    jest.useFakeTimers();
    const { consumer, deliver, deadLetters } = setUp({
      handler: async () => {
        throw new TransientError('deadlock detected');
      },
    });
    await consumer.start();

    const seen = await deliver([message(0, 'garbage'), message(1, exampleSyncCommand)]);

    // the poison found while decoding waits for the batch to succeed, so it is not dead-lettered twice
    expect(deadLetters).toEqual([]);
    expect(seen).toMatchObject({ resolved: [], commits: 0, paused: 1, resumed: 0 });
    jest.advanceTimersByTime(1_300);
    expect(seen.resumed).toBe(1);
    expect(consumer.stats().retries).toBe(1);
  });

  it('does not commit when the dead letters cannot be sent', async () => {
    const { consumer, deliver } = setUp({
      handler: async () => undefined,
      sendToDlq: async () => {
        throw new TransientError('producing to p.dlq.v1 failed');
      },
    });
    await consumer.start();

    const seen = await deliver([message(0, 'garbage')]);

    expect(seen).toMatchObject({ resolved: [], commits: 0, paused: 1 });
  });

  it('retries (never dead-letters) a batch whose decoding failed for a transient reason', async () => {
    const registryDown: ValueCodec = {
      encode: async () => Buffer.alloc(0),
      decode: async () => {
        throw new TransientError('Schema Registry request failed: ECONNREFUSED');
      },
    };
    const handler = jest.fn(async () => undefined);
    const { consumer, deliver, deadLetters } = setUp({ handler, codec: registryDown });
    await consumer.start();

    const seen = await deliver([message(0, exampleSyncCommand)]);

    expect(handler).not.toHaveBeenCalled();
    expect(deadLetters).toEqual([]);
    expect(seen).toMatchObject({ resolved: [], commits: 0, paused: 1 });
  });

  it('while stopping, a failed batch is left for the next owner without pausing or timers', async () => {
    const state = { running: true };
    const { consumer, deliver } = setUp({
      handler: async () => {
        state.running = false; // stop() was called while the handler ran
        throw new Error('boom');
      },
    });
    await consumer.start();

    const seen = await deliver([message(0, exampleSyncCommand)], state);

    expect(seen).toEqual({ resolved: [], commits: 0, paused: 0, resumed: 0 });
  });
});

/** kafkajs consumers as the supervisor sees them: each kafka.consumer() call is a new instance whose events we can fire. */
function fakeKafkajs(options: { crashOnJoin?: (instance: number) => boolean } = {}) {
  const instances: Array<{ calls: string[]; emit(event: string, payload: unknown): void }> = [];
  const kafka = {
    consumer: () => {
      const listeners = new Map<string, (event: { payload: unknown }) => void>();
      const calls: string[] = [];
      const index = instances.length;
      const instance = {
        calls,
        emit: (event: string, payload: unknown) => listeners.get(event)?.({ payload }),
      };
      instances.push(instance);
      return {
        events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
        on: (event: string, listener: (event: { payload: unknown }) => void) =>
          listeners.set(event, listener),
        connect: async () => void calls.push('connect'),
        subscribe: async () => void calls.push('subscribe'),
        // kafkajs reports a join that failed past its retries as a crash before run() resolves
        run: async () => {
          calls.push('run');
          if (options.crashOnJoin?.(index))
            instance.emit('consumer.crash', {
              error: new Error('The coordinator is not aware of this member'),
              restart: false,
            });
        },
        pause: () => void calls.push('pause'),
        stop: async () => void calls.push('stop'),
        disconnect: async () => void calls.push('disconnect'),
      };
    },
  } as unknown as Kafka;
  return { kafka, instances };
}

function supervised(kafka: Kafka, extra: { maxAttempts?: number; onGiveUp?: () => void } = {}) {
  return createBatchConsumer({
    kafka,
    settings,
    groupId: 'g',
    topics: ['sync.commands'],
    codec: createJsonCodec(),
    logger: pino({ level: 'silent' }),
    producer: { connect: jest.fn(), disconnect: jest.fn(), send: jest.fn() },
    handler: async () => undefined,
    maxBatchesInFlight: 2,
    restart: { initialMs: 100, maxMs: 100, maxAttempts: extra.maxAttempts ?? 3, stableMs: 60_000 },
    onGiveUp: extra.onGiveUp,
  });
}

const crash = { error: new Error('Request GroupCoordinator failed'), restart: false };

describe('Kafka > batch consumer > crashes', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('replaces a crashed consumer with a new one after the backoff, and is not running meanwhile', async () => {
    const { kafka, instances } = fakeKafkajs();
    const consumer = supervised(kafka);
    await consumer.start();
    expect(consumer.state()).toBe('running');

    instances[0].emit('consumer.crash', crash);

    expect(consumer.state()).toBe('restarting');
    await jest.advanceTimersByTimeAsync(50);
    expect(instances).toHaveLength(1);
    // 100 ms ± 20 % jitter
    await jest.advanceTimersByTimeAsync(100);
    expect(instances).toHaveLength(2);
    expect(instances[1].calls).toEqual(['connect', 'subscribe', 'run']);
    expect(consumer.state()).toBe('running');
  });

  it('gives up after the bounded restarts and calls onGiveUp once', async () => {
    const onGiveUp = jest.fn();
    // every restarted consumer fails to join
    const { kafka, instances } = fakeKafkajs({ crashOnJoin: (instance) => instance > 0 });
    const consumer = supervised(kafka, { maxAttempts: 2, onGiveUp });
    await consumer.start();

    instances[0].emit('consumer.crash', crash);
    await jest.advanceTimersByTimeAsync(1_000);

    // the first consumer and two restarts, each of which crashed while joining
    expect(instances).toHaveLength(3);
    expect(consumer.state()).toBe('failed');
    expect(onGiveUp).toHaveBeenCalledTimes(1);
  });

  it('reports a consumer whose join failed as restarting, not running', async () => {
    const { kafka } = fakeKafkajs({ crashOnJoin: (instance) => instance === 0 });
    const consumer = supervised(kafka);

    await consumer.start();

    expect(consumer.state()).toBe('restarting');
    await jest.advanceTimersByTimeAsync(150);
    expect(consumer.state()).toBe('running');
  });

  it('stops a crashed consumer cleanly: no pause or stop on the dead group, no restart afterwards', async () => {
    const { kafka, instances } = fakeKafkajs();
    const consumer = supervised(kafka);
    await consumer.start();
    instances[0].emit('consumer.crash', crash);

    await consumer.stop();
    await jest.advanceTimersByTimeAsync(1_000);

    expect(instances).toHaveLength(1);
    expect(instances[0].calls).toEqual(['connect', 'subscribe', 'run', 'disconnect']);
    expect(consumer.state()).toBe('stopped');
  });
});
