import type { DeadLetterStage, TopicId, TopicValue } from '@staysync/contracts';
import { isRetriable, StaysyncError } from '@staysync/core';
import type {
  Admin,
  Batch,
  Consumer,
  ConsumerConfig,
  EachBatchPayload,
  IHeaders,
  Kafka,
  KafkaMessage,
} from 'kafkajs';
import type { Logger } from 'pino';
import { backoffDelay, DEFAULT_BACKOFF, PartitionRetries, type BackoffOptions } from './backoff';
import type { ValueCodec } from './codec';
import { deadLetterMessage } from './dlq';
import { InvalidMessageError } from './errors';
import type { KafkaMetrics } from './metrics';
import type { KafkaProducer, OutgoingMessage } from './producer';
import type { KafkaSettings } from './settings';
import { topicIdsByName } from './topic-names';

/** A consumed message whose value decoded and matched its topic's schema. */
export interface DecodedMessageOf<K extends TopicId> {
  topicId: K;
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: TopicValue<K>;
  headers: IHeaders;
  /** ms since epoch, as kafkajs gives it */
  timestamp: string;
}

/** One of the consumed topics' decoded messages (a union discriminated by `topicId`). */
export type DecodedMessage<T extends TopicId = TopicId> = { [K in T]: DecodedMessageOf<K> }[T];

/** A message the handler found to be poison: it goes to the DLQ and is committed. */
export interface PoisonMessage<T extends TopicId = TopicId> {
  message: DecodedMessage<T>;
  error: unknown;
  stage: DeadLetterStage;
  parserVersion?: number | null;
}

export interface BatchResult<T extends TopicId = TopicId> {
  dlq?: PoisonMessage<T>[];
}

/**
 * Handles one kafkajs batch (messages of one topic-partition, in offset order). Return the poison
 * messages; throw to have the whole batch redelivered after a backoff (nothing is committed).
 */
export type BatchHandler<T extends TopicId> = (batch: DecodedMessage<T>[]) => Promise<BatchResult<T> | void>;

export interface BatchConsumerOptions<T extends TopicId> {
  kafka: Kafka;
  settings: KafkaSettings;
  groupId: string;
  topics: readonly T[];
  codec: ValueCodec;
  logger: Logger;
  /** sends the dead letters */
  producer: KafkaProducer;
  handler: BatchHandler<T>;
  /** where a group without committed offsets starts; default: the end */
  fromBeginning?: boolean;
  metrics?: KafkaMetrics;
  /** passed to kafkajs (sessionTimeout, heartbeatInterval, maxWaitTimeInMs, …) */
  consumerOptions?: Omit<ConsumerConfig, 'groupId'>;
  /** kafkajs batches (partitions) handled at once; default 1 */
  partitionsConsumedConcurrently?: number;
  /** delay between redeliveries of a failing batch */
  retryBackoff?: Partial<BackoffOptions>;
  /**
   * Pipelining: hand batches over without waiting for them, up to this many in flight. kafkajs fetches
   * again only once every batch it handed out returned, so by default each fetch waits for the handler;
   * with this set it goes on fetching (and decoding) while the handler works, and each batch's offsets
   * are committed when it finishes, in offset order per partition. A failed batch rewinds its partition
   * to its first offset (later batches of that partition are not committed and come again); so does a
   * rebalance. Unset: every batch is handled and committed before the next fetch.
   */
  maxBatchesInFlight?: number;
  /** restarts after kafkajs gives up on the consumer (see createBatchConsumer); default DEFAULT_RESTART */
  restart?: Partial<RestartPolicy>;
  /** called once the restarts are used up; the services exit non-zero so their orchestrator restarts them */
  onGiveUp?: (error: unknown) => void;
  /** how often the lag gauge is refreshed from the broker's offsets (needs `metrics`); default 10 s, 0 = never */
  lagRefreshMs?: number;
  /** awaited before subscribing, e.g. to create missing topics (a real broker refuses to subscribe to none) */
  beforeSubscribe?: () => Promise<void>;
}

export interface RestartPolicy extends BackoffOptions {
  /** consecutive restarts before giving up */
  maxAttempts: number;
  /** a consumer that ran this long since its last (re)start has its restart count reset */
  stableMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = {
  initialMs: 1_000,
  maxMs: 30_000,
  maxAttempts: 8,
  stableMs: 60_000,
};

const DEFAULT_LAG_REFRESH_MS = 10_000;

/**
 * `running`: joined and consuming. `restarting`: crashed, a restart is scheduled. `failed`: the
 * restarts are used up. `idle` before start(), `starting` during it, `stopped` after stop().
 */
export type ConsumerState = 'idle' | 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

export interface BatchConsumerStats {
  batches: number;
  messages: number;
  deadLetters: number;
  retries: number;
}

export interface BatchConsumer {
  readonly groupId: string;
  /** connects, subscribes and resolves once the group is joined */
  start(): Promise<void>;
  /** lets the batch in flight finish and commit, leaves the group, disconnects */
  stop(): Promise<void>;
  /** counts since start, for tests and diagnostics (Prometheus has the same via metrics) */
  stats(): BatchConsumerStats;
  state(): ConsumerState;
  /** reads the group's committed offsets and the partitions' end offsets into the lag gauge */
  refreshLag(): Promise<void>;
}

const DEFAULT_HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * A kafkajs `eachBatch` consumer that commits only after side effects:
 *
 *   decode + validate each message ─ poison → dead letter (stage decode/validate)
 *   handler(good messages)         ─ returns poison → dead letter (stage parse/load)
 *   send dead letters → resolve the batch → commit
 *
 * A handler error (or a failed DLQ send, or an unreachable registry) leaves the batch unresolved and
 * uncommitted: the partition is paused and resumed after an exponential backoff, and kafkajs fetches
 * again from the last resolved offset, so the same messages come back. We do not throw out of
 * eachBatch for this, because kafkajs then retries its whole fetch loop and, once its retries run
 * out, restarts the consumer and rebalances the group; pausing one partition keeps the others
 * flowing and cannot turn into a crash loop.
 *
 * When kafkajs does give up on the consumer (a crash: e.g. the group coordinator moved and the join
 * failed past its retries), it disconnects it. We then start a new kafkajs consumer after a backoff,
 * at most `restart.maxAttempts` times in a row, then call `onGiveUp`; `state()` is not `running`
 * meanwhile (the services' /ready answers 503). kafkajs's own restarts are off: they are unbounded and
 * reuse the crashed instance. The lag gauge is refreshed from the broker on a timer, independently
 * of consumption, so a consumer that is stalled or down shows a growing lag.
 */
export function createBatchConsumer<T extends TopicId>(options: BatchConsumerOptions<T>): BatchConsumer {
  const { kafka, settings, groupId, codec, producer, handler, metrics } = options;
  const log = options.logger.child({ component: 'kafka-consumer', groupId });
  const topicIds = topicIdsByName(settings.topicPrefix, options.topics);
  const retries = new PartitionRetries({ ...DEFAULT_BACKOFF, ...options.retryBackoff });
  const heartbeatEveryMs = options.consumerOptions?.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const stats: BatchConsumerStats = { batches: 0, messages: 0, deadLetters: 0, retries: 0 };
  const restartPolicy: RestartPolicy = { ...DEFAULT_RESTART, ...options.restart };
  let stopping: Promise<void> | undefined;
  let state: ConsumerState = 'idle';
  /** the current kafkajs consumer: a new one after each crash */
  let consumer: Consumer | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restartAttempts = 0;
  let runningSince = 0;
  let lagTimer: NodeJS.Timeout | undefined;
  let lagAdmin: Admin | undefined;
  let lagRefreshing: Promise<void> | undefined;

  /** Per partition (pipelined mode): completions are committed in order; a rewind or rebalance starts a new epoch. */
  interface PartitionPipeline {
    epoch: number;
    /** the previous batch's completion: the next one commits after it */
    tail: Promise<void>;
  }
  const pipelines = new Map<string, PartitionPipeline>();
  const inFlight = new Set<Promise<void>>();
  const maxInFlight = options.maxBatchesInFlight ?? 0;

  async function start(): Promise<void> {
    if (stopping) throw new Error(`consumer ${groupId} was stopped`);
    state = 'starting';
    startLagTimer();
    try {
      await options.beforeSubscribe?.();
      await connectAndRun();
    } catch (error) {
      if (state === 'starting') state = 'idle';
      throw error;
    }
  }

  function newKafkaConsumer(): Consumer {
    const created = kafka.consumer({
      allowAutoTopicCreation: !settings.createTopics,
      ...options.consumerOptions,
      // restarts are ours (bounded, with a new instance), see crashed()
      retry: { ...options.consumerOptions?.retry, restartOnFailure: async () => false },
      groupId,
    });
    // kafkajs has disconnected the consumer by the time it reports the crash
    created.on(created.events.CRASH, ({ payload }) => {
      if (created === consumer) crashed(payload.error);
    });
    // after a (re)join kafkajs fetches from the committed offsets: batches still in flight must not commit
    created.on(created.events.GROUP_JOIN, () => {
      for (const pipeline of pipelines.values()) pipeline.epoch += 1;
    });
    return created;
  }

  /** A new kafkajs consumer, connected and run; resolves once it joined (or crashed, and a restart is scheduled). */
  async function connectAndRun(): Promise<void> {
    const next = newKafkaConsumer();
    consumer = next;
    try {
      await next.connect();
      await next.subscribe({ topics: topicNames(), fromBeginning: options.fromBeginning ?? false });
      await next.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch: processBatch,
      });
    } catch (error) {
      await next.disconnect().catch(() => undefined);
      throw error;
    }
    // kafkajs reports a failed join as a crash while run() is still pending
    if (state === 'restarting' || state === 'failed' || stopping) return;
    state = 'running';
    runningSince = performance.now();
    log.info({ topics: topicNames(), restarts: restartAttempts }, 'consuming');
  }

  function crashed(error: unknown): void {
    if (stopping || restartTimer || state === 'failed') return;
    state = 'restarting';
    retries.cancelAll();
    // batches of the dead consumer still finish, but their offsets are not committed: they come again
    for (const pipeline of pipelines.values()) pipeline.epoch += 1;
    if (runningSince > 0 && performance.now() - runningSince >= restartPolicy.stableMs) restartAttempts = 0;
    restartAttempts += 1;
    if (restartAttempts > restartPolicy.maxAttempts) {
      state = 'failed';
      log.fatal(
        { err: error, restarts: restartAttempts - 1 },
        'consumer crashed and its restarts are used up; giving up',
      );
      options.onGiveUp?.(error);
      return;
    }
    metrics?.consumerRestarts.inc({ group: groupId });
    const delayMs = backoffDelay(restartAttempts, restartPolicy);
    log.error(
      { err: error, attempt: restartAttempts, delayMs },
      'consumer crashed; starting a new one after a backoff',
    );
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void restart();
    }, delayMs);
    restartTimer.unref();
  }

  async function restart(): Promise<void> {
    await drainInFlight();
    if (stopping) return;
    state = 'starting';
    try {
      await connectAndRun();
    } catch (error) {
      // could not connect or join: counts as another crash
      crashed(error);
    }
  }

  function startLagTimer(): void {
    const every = options.lagRefreshMs ?? DEFAULT_LAG_REFRESH_MS;
    if (!metrics || every <= 0 || lagTimer) return;
    lagTimer = setInterval(() => void refreshLag(), every);
    lagTimer.unref();
  }

  /** lag = end offset − committed offset (the partition's earliest offset when the group committed none) */
  function refreshLag(): Promise<void> {
    lagRefreshing ??= (async () => {
      try {
        // no retries: the next tick asks again
        lagAdmin ??= kafka.admin({ retry: { retries: 0 } });
        await lagAdmin.connect();
        const committed = await lagAdmin.fetchOffsets({ groupId, topics: topicNames() });
        for (const { topic, partitions } of committed) {
          const ends = new Map((await lagAdmin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
          for (const { partition, offset } of partitions) {
            const end = ends.get(partition);
            if (!end) continue;
            const from = BigInt(offset) >= 0n ? BigInt(offset) : BigInt(end.low);
            const lag = BigInt(end.high) - from;
            metrics?.consumerLag.set(
              { topic, partition: String(partition), group: groupId },
              Number(lag > 0n ? lag : 0n),
            );
          }
        }
      } catch (error) {
        log.debug({ err: error }, 'could not read the offsets for the lag gauge; the next tick retries');
      } finally {
        lagRefreshing = undefined;
      }
    })();
    return lagRefreshing;
  }

  async function processBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
    if (maxInFlight > 0) return handOver(payload);
    const started = performance.now();
    const partitionKey = `${batch.topic}:${batch.partition}`;
    // a long handler must not cost us the group membership; kafkajs throttles heartbeats itself
    const keepAlive = setInterval(() => {
      payload
        .heartbeat()
        .catch((error: unknown) => log.debug({ err: error }, 'heartbeat during a batch failed'));
    }, heartbeatEveryMs);
    try {
      let outcome: { handled: number; deadLettered: number };
      try {
        outcome = await handleBatch(batch);
      } catch (error) {
        leaveForRedelivery(payload, partitionKey, error);
        return;
      }
      payload.resolveOffset(batch.lastOffset());
      // with autoCommit off, kafkajs commits only the offsets it is given
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      retries.succeeded(partitionKey);
      record(batch, outcome, started);
    } finally {
      clearInterval(keepAlive);
    }
  }

  /**
   * Pipelined: starts the batch, lets kafkajs fetch past it, and commits it when it (and every earlier
   * batch of its partition) finished. Returns once fewer than maxBatchesInFlight batches are in flight.
   */
  async function handOver(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const started = performance.now();
    const partitionKey = `${batch.topic}:${batch.partition}`;
    const pipeline =
      pipelines.get(partitionKey) ??
      pipelines.set(partitionKey, { epoch: 0, tail: Promise.resolve() }).get(partitionKey)!;
    const epoch = pipeline.epoch;
    const work = handleBatch(batch);
    // awaited below, in offset order; until then a failure must not count as an unhandled rejection
    work.catch(() => undefined);
    payload.resolveOffset(batch.lastOffset());
    const done = pipeline.tail
      .then(async () => {
        let outcome: { handled: number; deadLettered: number };
        try {
          outcome = await work;
        } catch (error) {
          if (pipeline.epoch === epoch) rewind(batch, partitionKey, pipeline, error);
          return;
        }
        // an earlier batch of the partition failed, or the group rebalanced: this one comes again
        if (pipeline.epoch !== epoch) return;
        await commit(batch);
        retries.succeeded(partitionKey);
        record(batch, outcome, started);
      })
      .catch((error: unknown) =>
        log.error(
          { err: error, topic: batch.topic, partition: batch.partition },
          'settling a pipelined batch failed',
        ),
      );
    pipeline.tail = done;
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));

    if (inFlight.size < maxInFlight) return;
    const keepAlive = setInterval(() => {
      payload
        .heartbeat()
        .catch((error: unknown) =>
          log.debug({ err: error }, 'heartbeat while waiting for batches in flight failed'),
        );
    }, heartbeatEveryMs);
    try {
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    } finally {
      clearInterval(keepAlive);
    }
  }

  async function commit(batch: Batch): Promise<void> {
    const offset = (BigInt(batch.lastOffset()) + 1n).toString();
    try {
      await consumer!.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]);
    } catch (error) {
      // e.g. the group rebalanced meanwhile: the partition's next owner starts from the last commit
      log.warn(
        { err: error, topic: batch.topic, partition: batch.partition, offset },
        'offset commit failed; the batch will be delivered again',
      );
    }
  }

  /** Pipelined failure: back to the batch's first offset after a backoff; batches after it do not commit. */
  function rewind(batch: Batch, partitionKey: string, pipeline: PartitionPipeline, error: unknown): void {
    pipeline.epoch += 1;
    const delayMs = noteFailure(batch, partitionKey, error);
    if (stopping) return;
    // a crashed consumer's successor starts from the committed offsets anyway
    if (state !== 'running') return;
    const current = consumer!;
    const topicPartition = { topic: batch.topic, partitions: [batch.partition] };
    current.pause([topicPartition]);
    current.seek({ topic: batch.topic, partition: batch.partition, offset: batch.messages[0].offset });
    retries.schedule(partitionKey, delayMs, () => {
      if (current === consumer && state === 'running') current.resume([topicPartition]);
    });
  }

  async function handleBatch(batch: Batch): Promise<{ handled: number; deadLettered: number }> {
    const topicId = topicIds.get(batch.topic)!;
    const decoded: DecodedMessage<T>[] = [];
    const deadLetters: OutgoingMessage<'dlq'>[] = [];
    for (const message of batch.messages) {
      // a tombstone (no value) deletes its key on a compacted topic: nothing to handle
      if (message.value === null) continue;
      try {
        const value = await codec.decode(topicId, message.value);
        decoded.push(decodedMessage(topicId, batch, message, value));
      } catch (error) {
        // anything else (an unreachable registry) fails the batch and it is redelivered
        if (!(error instanceof InvalidMessageError)) throw error;
        deadLetters.push(deadLetter(batch, message, error, error.stage));
      }
    }

    const result = decoded.length > 0 ? await handler(decoded) : undefined;
    const originals = new Map(batch.messages.map((message) => [message.offset, message]));
    for (const poison of result?.dlq ?? []) {
      const original = originals.get(poison.message.offset);
      if (!original)
        throw new Error(
          `handler returned a dead letter for offset ${poison.message.offset}, which is not in this batch`,
        );
      deadLetters.push(deadLetter(batch, original, poison.error, poison.stage, poison.parserVersion));
    }

    if (deadLetters.length > 0) {
      await producer.send('dlq', deadLetters);
      deadLetters.forEach(reportDeadLetter);
    }
    return { handled: decoded.length, deadLettered: deadLetters.length };
  }

  function deadLetter(
    batch: Batch,
    message: KafkaMessage,
    error: unknown,
    stage: DeadLetterStage,
    parserVersion?: number | null,
  ): OutgoingMessage<'dlq'> {
    return deadLetterMessage({
      topic: batch.topic,
      partition: batch.partition,
      message,
      error,
      stage,
      parserVersion,
      consumerGroup: groupId,
    });
  }

  function reportDeadLetter({ value: letter }: OutgoingMessage<'dlq'>): void {
    const { originalTopic: topic, partition, offset, stage } = letter;
    log.warn(
      { topic, partition, offset, stage, reason: letter.error.message },
      'poison message sent to the DLQ',
    );
    metrics?.deadLetters.inc({ topic, group: groupId, stage });
  }

  function leaveForRedelivery(payload: EachBatchPayload, partitionKey: string, error: unknown): void {
    const delayMs = noteFailure(payload.batch, partitionKey, error);
    // stopping: the batch stays uncommitted and the next owner of the partition gets it
    if (!payload.isRunning()) return;
    const resume = payload.pause();
    retries.schedule(partitionKey, delayMs, resume);
  }

  /** Counts and logs a failed batch; returns how long its partition waits before the redelivery. */
  function noteFailure(batch: Batch, partitionKey: string, error: unknown): number {
    const retryAfterMs = error instanceof StaysyncError ? error.retryAfterMs : undefined;
    const { attempt, delayMs } = retries.failed(partitionKey, retryAfterMs);
    stats.retries += 1;
    metrics?.handlerRetries.inc({ topic: batch.topic, group: groupId });
    // a non-retriable error (a bug) is retried too, so nothing is lost, but it is logged as an error
    log[isRetriable(error) ? 'warn' : 'error'](
      {
        err: error,
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: batch.messages[0]?.offset,
        attempt,
        delayMs,
      },
      'batch failed: not committed, redelivering after backoff',
    );
    return delayMs;
  }

  function record(batch: Batch, outcome: { handled: number; deadLettered: number }, started: number): void {
    stats.batches += 1;
    stats.messages += batch.messages.length;
    stats.deadLetters += outcome.deadLettered;
    const labels = { topic: batch.topic, group: groupId };
    metrics?.consumedMessages.inc(labels, batch.messages.length);
    metrics?.batchSeconds.observe(labels, (performance.now() - started) / 1000);
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      clearTimeout(restartTimer);
      clearInterval(lagTimer);
      retries.cancelAll();
      // a crashed consumer has left its group already: only what is still in flight is waited for
      if (consumer && state === 'running') {
        if (maxInFlight > 0) {
          // fetch nothing more; what is in flight finishes and commits while we are still in the group
          consumer.pause(topicNames().map((topic) => ({ topic })));
          await drainInFlight();
        }
        // kafkajs's stop waits for the batch in flight; processBatch commits before it returns
        await consumer.stop();
      }
      // pipelined: a batch handed over during the stop still finishes (its commit is skipped: it comes again)
      await drainInFlight();
      await consumer?.disconnect();
      await lagRefreshing;
      await lagAdmin?.disconnect().catch(() => undefined);
      state = 'stopped';
      log.info(stats, 'consumer stopped');
    })();
    return stopping;
  }

  async function drainInFlight(): Promise<void> {
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  function topicNames(): string[] {
    return [...topicIds.keys()];
  }

  return { groupId, start, stop, stats: () => ({ ...stats }), state: () => state, refreshLag };
}

function decodedMessage<T extends TopicId>(
  topicId: T,
  batch: Batch,
  message: KafkaMessage,
  value: TopicValue<T>,
): DecodedMessage<T> {
  const decoded: DecodedMessageOf<T> = {
    topicId,
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key === null ? null : message.key.toString('utf8'),
    value,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
  // DecodedMessageOf<T> for a union T is one member of DecodedMessage<T>; TypeScript cannot see that
  return decoded;
}
