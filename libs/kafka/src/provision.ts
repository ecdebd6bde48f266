import { TOPIC_IDS, TOPICS, type TopicId } from '@staysync/contracts';
import { Partitioners, type Admin, type Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { probeCapabilities } from './capabilities';
import type { KafkaSettings } from './settings';
import { topicName } from './topic-names';

export interface ProvisionReport {
  /** `create-topics`: CreateTopics with the registry's partitions and configs; `auto-create`: the broker's defaults */
  mode: 'create-topics' | 'auto-create';
  created: string[];
  existing: string[];
  autoCreated: string[];
}

export interface ProvisionOptions {
  kafka: Kafka;
  settings: KafkaSettings;
  logger: Logger;
  /** default: every topic in the registry */
  topics?: readonly TopicId[];
}

/**
 * Makes sure every topic exists. With `createTopics` on and a broker that supports it, missing topics
 * are created with the registry's partitions and configs (compaction, retention). Otherwise, or when
 * the broker cannot create topics (the librdkafka mock has no CreateTopics and no controller), the
 * topics are auto-created by asking for their metadata, and get the broker's defaults.
 */
export async function provisionTopics({
  kafka,
  settings,
  logger,
  topics = TOPIC_IDS,
}: ProvisionOptions): Promise<ProvisionReport> {
  const log = logger.child({ component: 'kafka-provision' });
  const wanted = topics.map((id) => ({ id, name: topicName(id, settings.topicPrefix) }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    const onBroker = new Set(await admin.listTopics());
    const existing = wanted.filter((t) => onBroker.has(t.name));
    const missing = wanted.filter((t) => !onBroker.has(t.name));
    await warnAboutFewerPartitions(admin, existing, log);

    if (missing.length === 0) {
      log.info({ existing: existing.length }, 'all topics exist');
      return {
        mode: settings.createTopics ? 'create-topics' : 'auto-create',
        created: [],
        existing: names(existing),
        autoCreated: [],
      };
    }

    if (settings.createTopics) {
      // creating topics goes through the controller; without one kafkajs retries for a long time and then fails
      const capabilities = await probeCapabilities(admin);
      const cannotCreate = capabilities.controller
        ? await tryCreateTopics(admin, missing)
        : capabilities.reason!;
      if (cannotCreate === null) {
        log.info({ created: names(missing) }, 'created topics');
        return { mode: 'create-topics', created: names(missing), existing: names(existing), autoCreated: [] };
      }
      log.warn(
        { reason: cannotCreate },
        'the broker cannot create topics: relying on auto-creation, so topics get the broker default partitions and configs, not the registry ones',
      );
    } else {
      log.info('topic creation is off (createTopics=false): relying on broker auto-creation');
    }

    await requestAutoCreation(kafka, names(missing));
    const partitions = await partitionCounts(admin, names(missing));
    log.info({ autoCreated: Object.fromEntries(partitions) }, 'auto-created topics (name → partitions)');
    return { mode: 'auto-create', created: [], existing: names(existing), autoCreated: names(missing) };
  } finally {
    await admin.disconnect();
  }
}

/** null when created; else why the broker cannot create topics. Other errors are thrown. */
async function tryCreateTopics(
  admin: Admin,
  missing: Array<{ id: TopicId; name: string }>,
): Promise<string | null> {
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map(({ id, name }) => ({
        topic: name,
        numPartitions: TOPICS[id].partitions,
        configEntries: Object.entries(topicConfigs(id)).map(([configName, value]) => ({
          name: configName,
          value,
        })),
      })),
    });
    return null;
  } catch (error) {
    if (isCreateTopicsUnsupported(error)) return (error as Error).message;
    throw error;
  }
}

const CREATE_TOPICS_UNSUPPORTED = new Set([
  'KafkaJSBrokerNotFound',
  'KafkaJSServerDoesNotSupportApiKey',
  'KafkaJSNotImplemented',
]);

function isCreateTopicsUnsupported(error: unknown): boolean {
  for (
    let e = error as (Error & { type?: string; cause?: unknown }) | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if (CREATE_TOPICS_UNSUPPORTED.has(e.name) || e.type === 'UNSUPPORTED_VERSION') return true;
  }
  return false;
}

/**
 * A produce call with no messages still makes the producer ask for the topics' metadata with
 * allowAutoTopicCreation, which is what auto-creates them (the admin client never sets that flag),
 * and kafkajs retries the LEADER_NOT_AVAILABLE a new topic answers with at first.
 */
async function requestAutoCreation(kafka: Kafka, topicNames: string[]): Promise<void> {
  const producer = kafka.producer({
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  try {
    await producer.sendBatch({ topicMessages: topicNames.map((topic) => ({ topic, messages: [] })) });
  } finally {
    await producer.disconnect();
  }
}

async function partitionCounts(admin: Admin, topicNames: string[]): Promise<Map<string, number>> {
  if (topicNames.length === 0) return new Map();
  const { topics } = await admin.fetchTopicMetadata({ topics: topicNames });
  return new Map(topics.map((t) => [t.name, t.partitions.length]));
}

async function warnAboutFewerPartitions(
  admin: Admin,
  existing: Array<{ id: TopicId; name: string }>,
  log: Logger,
): Promise<void> {
  const counts = await partitionCounts(admin, names(existing));
  for (const { id, name } of existing) {
    const actual = counts.get(name);
    if (actual !== undefined && actual < TOPICS[id].partitions) {
      log.warn(
        { topic: name, partitions: actual, registry: TOPICS[id].partitions },
        'topic has fewer partitions than the registry asks for',
      );
    }
  }
}

function names(topics: Array<{ name: string }>): string[] {
  return topics.map((t) => t.name);
}

/**
 * The broker-side configs of a topic: the registry's, plus `compression.type` matching what our
 * producers send (the broker then stores their batches as they come instead of recompressing).
 */
export function topicConfigs(id: TopicId): Record<string, string> {
  const topic = TOPICS[id];
  return {
    ...topic.configs,
    'compression.type': topic.compression === 'none' ? 'producer' : topic.compression,
  };
}
