import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Admin, Batch, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { rawTopicId, type TopicId } from '@staysync/contracts';
import {
  currentParser,
  withRetries,
  type Parser,
  type RawEnvelope,
  type RetryPolicy,
  type SourcePlugin,
} from '@staysync/core';
import {
  brokerTrouble,
  createCodec,
  InvalidMessageError,
  probeCapabilities,
  topicName,
  type KafkaSettings,
  type ValueCodec,
} from '@staysync/kafka';
import { loadEnvelopes } from '../load/load-envelopes';
import { keepValueBytes } from '../load/producer-text';
import type { PipelineMetrics } from '../metrics';
import { requireSource } from '@staysync/sources';
import {
  addToReport,
  emptyReport,
  recordedReplay,
  ReplayRecorder,
  throwIfAborted,
  type ReplayRange,
  type ReplayReport,
} from './report';

export interface TopicReplayOptions extends ReplayRange {
  pool: Pool;
  kafka: Kafka;
  settings: KafkaSettings;
  /** default: from settings (Schema Registry or JSON), like the loader */
  codec?: ValueCodec;
  parserFor?: (plugin: SourcePlugin) => Parser;
  metrics?: PipelineMetrics;
  logger?: Logger;
  /** passed to the kafkajs consumer (tests shorten session/heartbeat timings) */
  consumerOptions?: {
    sessionTimeout?: number;
    rebalanceTimeout?: number;
    heartbeatInterval?: number;
    maxWaitTimeInMs?: number;
  };
}

/** Where a partition's replay starts and the end offset (exclusive) captured when it began. */
export interface PartitionPlan {
  partition: number;
  start: bigint;
  end: bigint;
  /** whether the broker's offset for `from` was usable, or the scan starts at the earliest offset */
  startedFrom: 'timestamp' | 'earliest';
}

/**
 * Re-parses the raw topic's responses fetched within [from, to] with a consumer group of its own
 * (never the loader's; nothing is committed) and stops by itself at the end offsets captured at start.
 */
export async function replayFromTopic(options: TopicReplayOptions): Promise<ReplayReport> {
  const { pool, kafka, settings, dryRun } = options;
  const plugin = requireSource(options.source);
  const topicId = rawTopicId(plugin.name);
  const topic = topicName(topicId, settings.topicPrefix);
  const report = emptyReport('topic', dryRun, (options.parserFor?.(plugin) ?? currentParser(plugin)).version);
  const recorder = new ReplayRecorder(pool, options.replayId);
  return recordedReplay(recorder, report, async () => {
    const plans = await planPartitions(kafka, topic, options.from);
    options.logger?.debug(
      { topic, plans: plans.map((p) => ({ ...p, start: String(p.start), end: String(p.end) })) },
      'topic replay plan',
    );
    const messagesToScan = plans.reduce((n, p) => n + Number(p.end - p.start), 0);
    await recorder.started(null);
    let processed = 0;
    await consumeUntilEnd(kafka, topic, plans, options, async (messages) => {
      const envelopes = await decodeInRange(
        options.codec ?? createCodec(settings),
        topicId,
        messages,
        options,
        report,
      );
      if (envelopes.length > 0) {
        const result = await loadEnvelopes(pool, envelopes, {
          dryRun,
          compare: true,
          parserFor: options.parserFor,
          metrics: options.metrics,
          logger: options.logger,
        });
        addToReport(
          report,
          result,
          envelopes.map((e) => e.requestKey),
        );
      }
      processed += envelopes.length;
      await recorder.progressed(processed);
      options.onProgress?.({ processed, total: null });
    });
    options.logger?.info(
      { topic, messagesToScan, replayed: processed },
      'topic replay reached the captured end offsets',
    );
  });
}

/**
 * A partition's plan from its bounds and the broker's answer for the start time (kafkajs turns the
 * broker's -1, "no record at or after that time", into the end offset). A real broker's answer is
 * used as it is: the end offset then means nothing to replay there. Where the answer cannot be trusted
 * (librdkafka's mock answers the end offset for any timestamp), or is missing or outside the retained
 * range, the scan starts at the earliest offset and the envelopes' fetchedAt filters.
 */
export function partitionPlan(
  partition: number,
  earliest: bigint,
  end: bigint,
  atTime: bigint | undefined,
  trusted: boolean,
): PartitionPlan {
  const usable = trusted && atTime !== undefined && atTime >= earliest && atTime <= end;
  return {
    partition,
    start: usable ? atTime : earliest,
    end,
    startedFrom: usable ? 'timestamp' : 'earliest',
  };
}

/** End offsets are captured now, so the replay ends even while the live topic grows. */
export async function planPartitions(kafka: Kafka, topic: string, from: Date): Promise<PartitionPlan[]> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  try {
    const { controller: trusted } = await probeCapabilities(admin);
    const bounds = await readOffsets(() => admin.fetchTopicOffsets(topic), `reading ${topic}'s offsets`);
    const byTime = new Map(
      (
        await readOffsets(
          () => admin.fetchTopicOffsetsByTimestamp(topic, from.getTime()),
          `reading ${topic}'s offsets at ${from.toISOString()}`,
        )
      ).map((o) => [o.partition, BigInt(o.offset)]),
    );
    return bounds.map(({ partition, low, high }) =>
      partitionPlan(partition, BigInt(low), BigInt(high), byTime.get(partition), trusted),
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * A partition answers NOT_LEADER for a moment while its leader is elected (a topic just created, a
 * broker restarting), and kafkajs's admin does not retry offset requests for it.
 */
const OFFSETS_RETRY: RetryPolicy = { maxAttempts: 6, baseMs: 100, capMs: 2000 };

function readOffsets<T>(read: () => Promise<T>, what: string): Promise<T> {
  return withRetries(async () => {
    try {
      return await read();
    } catch (error) {
      throw brokerTrouble(error, what);
    }
  }, OFFSETS_RETRY);
}

type BatchMessages = Batch['messages'];

async function consumeUntilEnd(
  kafka: Kafka,
  topic: string,
  plans: PartitionPlan[],
  options: TopicReplayOptions,
  handle: (messages: BatchMessages) => Promise<void>,
): Promise<void> {
  const pending = new Map(plans.filter((p) => p.start < p.end).map((p) => [p.partition, p]));
  if (pending.size === 0) return;
  const groupId = `staysync-replay-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, ...options.consumerOptions });
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) settle.reject(payload.error);
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const plan = pending.get(batch.partition);
        if (!plan) return;
        const inPlan = batch.messages.filter(
          (m) => BigInt(m.offset) >= plan.start && BigInt(m.offset) < plan.end,
        );
        try {
          throwIfAborted(options.signal);
          await handle(inPlan);
        } catch (error) {
          settle.reject(error);
          return;
        }
        if (BigInt(batch.lastOffset()) >= plan.end - 1n) {
          pending.delete(batch.partition);
          if (pending.size === 0) settle.resolve();
        }
      },
    });
    for (const plan of pending.values())
      consumer.seek({ topic, partition: plan.partition, offset: plan.start.toString() });
    await finished;
  } finally {
    await consumer.stop().catch(() => undefined);
    await consumer.disconnect().catch(() => undefined);
  }
}

async function decodeInRange(
  codec: ValueCodec,
  topicId: TopicId,
  messages: BatchMessages,
  options: TopicReplayOptions,
  report: ReplayReport,
): Promise<RawEnvelope[]> {
  const from = options.from.getTime();
  const to = options.to.getTime();
  const envelopes: RawEnvelope[] = [];
  for (const message of messages) {
    // a tombstone (e.g. of a hard-deleted account's record) deletes its key: nothing to replay
    if (message.value === null) continue;
    let envelope: RawEnvelope;
    try {
      envelope = keepValueBytes((await codec.decode(topicId, message.value)) as RawEnvelope, message.value);
    } catch (error) {
      if (!(error instanceof InvalidMessageError)) throw error;
      report.poison.push({
        requestKey: message.key?.toString('utf8') ?? `offset ${message.offset}`,
        error: error.message,
      });
      continue;
    }
    const fetchedAt = Date.parse(envelope.fetchedAt);
    if (fetchedAt < from || fetchedAt > to) continue;
    if (options.accountId && envelope.accountId !== options.accountId) continue;
    envelopes.push(envelope);
  }
  return envelopes;
}
