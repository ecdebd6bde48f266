import { exampleAccountEvent, accountEventSchema, type AccountEvent } from './topics/accounts.events.v1';
import { exampleAirbnbMetric, airbnbMetricSchema, type AirbnbMetric } from './topics/airbnb.metrics.v1';
import { exampleDeadLetter, deadLetterSchema, type DeadLetter } from './topics/dlq.v1';
import { exampleRawEnvelope, rawEnvelopeSchema, rawPartitionKey, type RawEnvelope } from './topics/raw';
import { exampleSyncCommand, syncCommandSchema, type SyncCommand } from './topics/sync.commands.v1';
import { exampleSyncEvent, syncEventSchema, type SyncEvent } from './topics/sync.events.v1';

/** A JSON Schema document (draft-07), as read from a `schema.json` file. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface TopicDefinition<TValue = unknown> {
  /** versioned name on the wire, before the deployment's prefix */
  readonly baseName: string;
  /** public topics are a contract with other teams; internal ones may change with the services */
  readonly visibility: 'public' | 'internal';
  readonly description: string;
  /** what the Kafka key is (each topic folder exports the builder) */
  readonly key: string;
  /** when a topic is not partitioned by its key: what it is partitioned by, and how to get it from a value */
  readonly partitionedBy?: { readonly description: string; of(value: TValue): string };
  /** the value's JSON Schema: the source of truth */
  readonly schema: JsonSchema;
  readonly partitions: number;
  /** producer-side compression */
  readonly compression: 'gzip' | 'none';
  /** topic configs applied when the topics are created */
  readonly configs: Readonly<Record<string, string>>;
  /** a valid value, used by the AsyncAPI document and the conformance spec */
  readonly example: TValue;
}

/** Value type per logical topic id. */
export interface TopicValues {
  'accounts.events': AccountEvent;
  'sync.commands': SyncCommand;
  'raw.airbnb': RawEnvelope;
  'raw.hostaway': RawEnvelope;
  'sync.events': SyncEvent;
  'airbnb.metrics': AirbnbMetric;
  dlq: DeadLetter;
}

const DAY_MS = 86_400_000;

function deleteAfterDays(days: number): Record<string, string> {
  return { 'cleanup.policy': 'delete', 'retention.ms': String(days * DAY_MS) };
}

/**
 * Raw topics are compacted: the key is the request identity including the scrape day, so compaction
 * only drops retried duplicates of the same request (and the records a hard delete tombstones), and
 * every scrape day stays replayable from the topic for as long as the raw store keeps it:
 * - cleanup.policy compact,delete with retention.ms 400 days (RETENTION_RAW_DAYS' default): whole
 *   segments older than that are deleted, so replay-from-topic reaches back about 400 days;
 * - segment.ms 7 days: segments roll weekly even on quiet partitions, so the cleaner can compact
 *   them (the active segment is never cleaned) and retention can delete them;
 * - min.compaction.lag.ms 1 day: a duplicate survives at least a day, long enough for a lagging
 *   loader or an on-call replay to see exactly what was fetched.
 * - max.compaction.lag.ms 7 days: duplicates go within a week even on quiet partitions whose
 *   active segment would otherwise never roll.
 * - max.message.bytes 8 MB: a few upstream responses are large (sizes are after gzip).
 */
const RAW_TOPIC_CONFIGS = {
  'cleanup.policy': 'compact,delete',
  'retention.ms': String(400 * DAY_MS),
  'segment.ms': String(7 * DAY_MS),
  'min.compaction.lag.ms': String(DAY_MS),
  'max.compaction.lag.ms': String(7 * DAY_MS),
  'max.message.bytes': String(8 * 1024 * 1024),
};

const RAW_TOPIC = {
  visibility: 'internal',
  key: 'RawEnvelope.requestKey: source:account:operation:resource:variables:window:scrapeDate',
  partitionedBy: {
    description: 'source:accountId:resourceId (murmur2, as for keys): one partition per listing, so one loader writes its rows',
    of: rawPartitionKey,
  },
  schema: rawEnvelopeSchema,
  partitions: 12,
  // the librdkafka mock keeps only 5 MB per partition, and gzip shrinks JSON responses ~10x on real clusters too
  compression: 'gzip',
  configs: RAW_TOPIC_CONFIGS,
  example: exampleRawEnvelope,
} as const;

/**
 * Every topic, declared once. The record key is the logical id used in code
 * (`producer.send('sync.commands', …)`); names on the wire are `<prefix><baseName>`.
 */
export const TOPICS = {
  'accounts.events': {
    baseName: 'accounts.events.v1',
    visibility: 'public',
    description:
      'Account lifecycle (created, updated, deactivated, reactivated, deleted, needs_reauth). No secrets.',
    key: 'source:accountId',
    schema: accountEventSchema,
    partitions: 12,
    compression: 'none',
    configs: deleteAfterDays(30),
    example: exampleAccountEvent,
  },
  'sync.commands': {
    baseName: 'sync.commands.v1',
    visibility: 'internal',
    description: 'Sync one account: admin (scheduler, REST, webhooks, replays) → fetcher.',
    key: 'source:accountId',
    schema: syncCommandSchema,
    partitions: 12,
    compression: 'none',
    configs: deleteAfterDays(7),
    example: exampleSyncCommand,
  },
  'raw.airbnb': {
    ...RAW_TOPIC,
    baseName: 'raw.airbnb.v1',
    description:
      'Raw Airbnb insights responses with request metadata: fetcher → loader, and the replay source.',
  },
  'raw.hostaway': {
    ...RAW_TOPIC,
    baseName: 'raw.hostaway.v1',
    description:
      'Raw Hostaway responses and webhook deliveries with request metadata: fetcher/admin → loader, and the replay source.',
  },
  'sync.events': {
    baseName: 'sync.events.v1',
    visibility: 'public',
    description: 'Job lifecycle and per-request / per-listing results.',
    key: 'jobId',
    schema: syncEventSchema,
    partitions: 12,
    compression: 'none',
    configs: deleteAfterDays(7),
    example: exampleSyncEvent,
  },
  'airbnb.metrics': {
    baseName: 'airbnb.metrics.v1',
    visibility: 'public',
    description: 'Normalized Airbnb metric rows, published after they were loaded.',
    key: 'accountId:listingId:date',
    schema: airbnbMetricSchema,
    partitions: 12,
    compression: 'gzip',
    configs: deleteAfterDays(30),
    example: exampleAirbnbMetric,
  },
  dlq: {
    baseName: 'dlq.v1',
    visibility: 'internal',
    description:
      'Poison messages from every consumer, with the original bytes, stage, error and parser version. For on-call.',
    key: 'the original message key',
    schema: deadLetterSchema,
    partitions: 12,
    // dead letters carry whole raw responses
    compression: 'gzip',
    configs: deleteAfterDays(30),
    example: exampleDeadLetter,
  },
} as const satisfies { readonly [K in keyof TopicValues]: TopicDefinition<TopicValues[K]> };

export type TopicId = keyof typeof TOPICS;
export type TopicValue<T extends TopicId> = TopicValues[T];

export const TOPIC_IDS = Object.keys(TOPICS) as TopicId[];

export function isTopicId(value: string): value is TopicId {
  return Object.prototype.hasOwnProperty.call(TOPICS, value);
}

export function topicDefinition(topicId: TopicId): TopicDefinition {
  return TOPICS[topicId];
}

/** `raw.<source>`: the raw-response topic of a source plug-in. */
/** The raw topics (`raw.<source>`). */
export type RawTopicId = Extract<TopicId, `raw.${string}`>;

export function rawTopicId(source: string): RawTopicId {
  const id = `raw.${source}`;
  if (!isTopicId(id) || !id.startsWith('raw.'))
    throw new Error(`no raw topic registered for source "${source}": add raw.${source} to TOPICS`);
  return id as RawTopicId;
}
