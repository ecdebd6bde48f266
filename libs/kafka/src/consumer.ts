import type { TopicId } from '@staysync/contracts';
import type { Consumer, ConsumerConfig, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff';
import { batchHandling, type BatchHandler } from './batch-handling';
import { BatchOutcomes, type BatchConsumerStats } from './batch-outcomes';
import type { ValueCodec } from './codec';
import type { CommitStrategy, CommitStrategyContext } from './commit-strategy';
import { lagGauge } from './lag-gauge';
import type { KafkaMetrics } from './metrics';
import { pipelinedCommits } from './pipelined-commits';
import type { KafkaProducer } from './producer';
import { DEFAULT_RESTART, RestartBudget, type RestartPolicy } from './restart-budget';
import { serialCommits } from './serial-commits';
import type { KafkaSettings } from './settings';
import { topicIdsByName } from './topic-names';

// the handler a consumer is created with, defined beside the decode → handler → DLQ step it runs in
export type { BatchHandler } from './batch-handling';

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

/**
 * `running`: joined and consuming. `restarting`: crashed, a restart is scheduled. `failed`: the
 * restarts are used up. `idle` before start(), `starting` during it, `stopped` after stop().
 */
export type ConsumerState = 'idle' | 'starting' | 'running' | 'restarting' | 'failed' | 'stopped';

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
 * A kafkajs `eachBatch` consumer that commits only after side effects: each batch is decoded,
 * handled and its dead letters sent (batch-handling.ts), then its offsets are committed, one batch at
 * a time (serial-commits.ts) or pipelined (pipelined-commits.ts, with `maxBatchesInFlight`).
 *
 * A handler error (or a failed DLQ send, or an unreachable registry) leaves the batch uncommitted: the
 * partition is paused and resumed after an exponential backoff, and the same messages come back. We
 * do not throw out of eachBatch for this, because kafkajs then retries its whole fetch loop and, once
 * its retries run out, restarts the consumer and rebalances the group; pausing one partition keeps the
 * others flowing and cannot turn into a crash loop.
 *
 * This file is the lifecycle: connect, subscribe, run, restart, stop. When kafkajs does give up on the
 * consumer (a crash: e.g. the group coordinator moved and the join failed past its retries), it
 * disconnects it. We then start a new kafkajs consumer after a backoff, at most `restart.maxAttempts`
 * times in a row, then call `onGiveUp`; `state()` is not `running` meanwhile (the services' /ready
 * answers 503). kafkajs's own restarts are off: they are unbounded and reuse the crashed instance. The
 * lag gauge (lag-gauge.ts) is refreshed from the broker on a timer, independently of consumption, so a
 * consumer that is stalled or down shows a growing lag.
 */
export function createBatchConsumer<T extends TopicId>(options: BatchConsumerOptions<T>): BatchConsumer {
  const { kafka, settings, groupId, metrics } = options;
  const log = options.logger.child({ component: 'kafka-consumer', groupId });
  const topicIds = topicIdsByName(settings.topicPrefix, options.topics);
  const topicNames = [...topicIds.keys()];
  const outcomes = new BatchOutcomes(groupId, log, metrics, { ...DEFAULT_BACKOFF, ...options.retryBackoff });
  const restarts = new RestartBudget({ ...DEFAULT_RESTART, ...options.restart });
  const lag = lagGauge({ kafka, groupId, topicNames, log, metrics, refreshMs: options.lagRefreshMs });
  let stopping: Promise<void> | undefined;
  let state: ConsumerState = 'idle';
  /** the current kafkajs consumer: a new one after each crash */
  let consumer: Consumer | undefined;
  let restartTimer: NodeJS.Timeout | undefined;

  const strategyContext: CommitStrategyContext = {
    handleBatch: batchHandling({
      groupId,
      topicIds,
      codec: options.codec,
      handler: options.handler,
      producer: options.producer,
      log,
      metrics,
    }),
    outcomes,
    log,
    heartbeatEveryMs: options.consumerOptions?.heartbeatInterval ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
  };
  const commits: CommitStrategy =
    (options.maxBatchesInFlight ?? 0) > 0
      ? pipelinedCommits({
          ...strategyContext,
          maxBatchesInFlight: options.maxBatchesInFlight!,
          topicNames,
          currentConsumer: () => consumer,
          isConsuming: () => !stopping && state === 'running',
        })
      : serialCommits(strategyContext);

  async function start(): Promise<void> {
    if (stopping) throw new Error(`consumer ${groupId} was stopped`);
    state = 'starting';
    lag.startRefreshing();
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
    created.on(created.events.GROUP_JOIN, () => commits.forgetInFlight());
    return created;
  }

  /** A new kafkajs consumer, connected and run; resolves once it joined (or crashed, and a restart is scheduled). */
  async function connectAndRun(): Promise<void> {
    const next = newKafkaConsumer();
    consumer = next;
    try {
      await next.connect();
      await next.subscribe({ topics: topicNames, fromBeginning: options.fromBeginning ?? false });
      await next.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
        eachBatch,
      });
    } catch (error) {
      await next.disconnect().catch(() => undefined);
      throw error;
    }
    // kafkajs reports a failed join as a crash while run() is still pending
    if (state === 'restarting' || state === 'failed' || stopping) return;
    state = 'running';
    restarts.running();
    log.info({ topics: topicNames, restarts: restarts.restarts }, 'consuming');
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    if (!payload.isRunning() || payload.isStale() || payload.batch.messages.length === 0) return;
    return commits.eachBatch(payload);
  }

  function crashed(error: unknown): void {
    if (stopping || restartTimer || state === 'failed') return;
    state = 'restarting';
    outcomes.cancelResumes();
    // batches of the dead consumer still finish, but their offsets are not committed: they come again
    commits.forgetInFlight();
    const decision = restarts.crashed();
    if (!decision.restart) {
      state = 'failed';
      log.fatal(
        { err: error, restarts: decision.restarts },
        'consumer crashed and its restarts are used up; giving up',
      );
      options.onGiveUp?.(error);
      return;
    }
    metrics?.consumerRestarts.inc({ group: groupId });
    const { attempt, delayMs } = decision;
    log.error({ err: error, attempt, delayMs }, 'consumer crashed; starting a new one after a backoff');
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      void restart();
    }, delayMs);
    restartTimer.unref();
  }

  async function restart(): Promise<void> {
    await commits.drain();
    if (stopping) return;
    state = 'starting';
    try {
      await connectAndRun();
    } catch (error) {
      // could not connect or join: counts as another crash
      crashed(error);
    }
  }

  function stop(): Promise<void> {
    stopping ??= (async () => {
      clearTimeout(restartTimer);
      lag.stopRefreshing();
      outcomes.cancelResumes();
      // a crashed consumer has left its group already: only what is still in flight is waited for
      if (consumer && state === 'running') {
        await commits.beforeStop(consumer);
        await consumer.stop();
      }
      // pipelined: a batch handed over during the stop still finishes (its commit is skipped: it comes again)
      await commits.drain();
      await consumer?.disconnect();
      await lag.close();
      state = 'stopped';
      log.info(outcomes.stats(), 'consumer stopped');
    })();
    return stopping;
  }

  return {
    groupId,
    start,
    stop,
    stats: () => outcomes.stats(),
    state: () => state,
    refreshLag: () => lag.refresh(),
  };
}
