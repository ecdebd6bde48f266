import type { JsonSchema, PublishedTopic, SourcePlugin, TopicDefinition } from '@staysync/core';
import { SOURCES } from '@staysync/sources';
import { exampleAccountEvent, accountEventSchema, type AccountEvent } from './topics/accounts.events.v1';
import { exampleDeadLetter, deadLetterSchema, type DeadLetter } from './topics/dlq.v1';
import { exampleRawEnvelope, rawEnvelopeSchema, rawPartitionKey, type RawEnvelope } from './topics/raw';
import { exampleSyncCommand, syncCommandSchema, type SyncCommand } from './topics/sync.commands.v1';
import { exampleSyncEvent, syncEventSchema, type SyncEvent } from './topics/sync.events.v1';

export type { JsonSchema, TopicDefinition };

/** Value type per logical id of the core's own topics. */
export interface CoreTopicValues {
  'accounts.events': AccountEvent;
  'sync.commands': SyncCommand;
  'sync.events': SyncEvent;
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
    description:
      'source:accountId:resourceId (murmur2, as for keys): one partition per listing, so one loader writes its rows',
    of: rawPartitionKey,
  },
  schema: rawEnvelopeSchema,
  partitions: 12,
  // the librdkafka mock keeps only 5 MB per partition, and gzip shrinks JSON responses ~10x on real clusters too
  compression: 'gzip',
  configs: RAW_TOPIC_CONFIGS,
  example: exampleRawEnvelope,
} as const;

/** The core's own topics; the logical id is used in code (`producer.send('sync.commands', …)`). */
export const CORE_TOPICS = {
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
} as const satisfies { readonly [K in keyof CoreTopicValues]: TopicDefinition<CoreTopicValues[K]> };

export type CoreTopicId = keyof typeof CORE_TOPICS;
/** `raw.<source>`: a source's raw responses */
export type RawTopicId = `raw.${string}`;
/** the raw topics and the topics sources publish (`<source>.<what>`), declared by the plug-ins */
export type SourceTopicId = RawTopicId | `${string}.${string}`;

/** The raw topic of a registered source: the shared envelope schema and settings, its own name. */
function rawTopicOf(plugin: SourcePlugin): TopicDefinition<RawEnvelope> {
  return { ...RAW_TOPIC, baseName: `raw.${plugin.name}.v1`, description: plugin.topics.raw.description };
}

/** The topics the registered source plug-ins declare: each one's raw topic, then what it publishes. */
function sourceTopics(plugins: readonly SourcePlugin[]): Record<SourceTopicId, TopicDefinition> {
  const topics: Record<SourceTopicId, TopicDefinition> = {};
  for (const plugin of plugins) {
    topics[`raw.${plugin.name}`] = rawTopicOf(plugin);
    for (const published of plugin.topics.published ?? []) topics[published.id] = published.definition;
  }
  for (const id of Object.keys(topics))
    if (isCoreTopicId(id)) throw new Error(`a source declares the topic id "${id}", which the core uses`);
  return topics;
}

function isCoreTopicId(value: string): value is CoreTopicId {
  return Object.prototype.hasOwnProperty.call(CORE_TOPICS, value);
}

/**
 * Every topic, declared once: the core's, then each registered source's (its raw topic and what it
 * publishes). Names on the wire are `<prefix><baseName>`.
 */
export const TOPICS: Readonly<typeof CORE_TOPICS & Record<SourceTopicId, TopicDefinition>> = {
  ...CORE_TOPICS,
  ...sourceTopics(SOURCES),
};

export type TopicId = CoreTopicId | SourceTopicId;
/** A topic's value type: the core's own, the raw envelope on `raw.<source>`, and unknown for what sources publish. */
export type TopicValue<T extends TopicId> = T extends CoreTopicId
  ? CoreTopicValues[T]
  : T extends RawTopicId
    ? RawEnvelope
    : unknown;

export const TOPIC_IDS = Object.keys(TOPICS) as TopicId[];

export function isTopicId(value: string): value is TopicId {
  return Object.prototype.hasOwnProperty.call(TOPICS, value);
}

/** The topic's definition; an id that is not in the registry is a programming error and throws. */
export function topicDefinition(topicId: TopicId): TopicDefinition {
  const id: string = topicId;
  if (!isTopicId(id)) throw new Error(`unknown topic "${id}": known topics are ${TOPIC_IDS.join(', ')}`);
  return TOPICS[topicId];
}

/** `raw.<source>`: the raw-response topic of a registered source. */
export function rawTopicId(source: string): RawTopicId {
  const id: RawTopicId = `raw.${source}`;
  if (!isTopicId(id))
    throw new Error(
      `no raw topic for source "${source}": it is not in the source registry (libs/sources/index.ts)`,
    );
  return id;
}

/** The raw topics of every registered source, in registry order. */
export function rawTopicIds(): RawTopicId[] {
  return SOURCES.map((plugin) => rawTopicId(plugin.name));
}

/** What each registered source publishes after a load. */
export function publishedTopics(): ReadonlyArray<PublishedTopic> {
  return SOURCES.flatMap((plugin) => plugin.topics.published ?? []);
}
