import { TOPIC_IDS, TOPICS, type TopicDefinition, type TopicId } from './topics';

/**
 * The AsyncAPI 2.6 document of every topic, generated from TOPICS so it cannot drift from the
 * schema files. It is committed as docs/asyncapi.json; a spec regenerates and compares it
 * (rewrite it with `node -r @swc-node/register libs/contracts/scripts/write-asyncapi.ts`).
 * Channel names are base names: each deployment puts its own prefix in front.
 */
export function buildAsyncApi(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const id of TOPIC_IDS) {
    const topic: TopicDefinition = TOPICS[id];
    channels[topic.baseName] = channelOf(id, topic);
    messages[id] = messageOf(id, topic);
  }
  return {
    asyncapi: '2.6.0',
    id: 'urn:staysync:topics',
    info: {
      title: 'staysync topics',
      version: '1.0.0',
      description:
        'Kafka topics of the staysync ingestion platform. Topics tagged `public` are a contract with other teams; ' +
        '`internal` ones are documented for on-call and may change with the services. Topic names get a per-deployment prefix. ' +
        'Values are JSON validated against the schemas below, or, when a Schema Registry is configured, the same JSON ' +
        'in the Confluent wire format (magic byte 0, 4-byte schema id) registered under the subject `<topic>-value`.',
    },
    defaultContentType: 'application/json',
    channels,
    components: { messages },
  };
}

function channelOf(id: TopicId, topic: TopicDefinition): Record<string, unknown> {
  return {
    description: topic.partitionedBy ? `${topic.description} Partitioned by ${topic.partitionedBy.description}.` : topic.description,
    // AsyncAPI 2.x "subscribe" = what a reader of the channel receives
    subscribe: {
      operationId: `consume.${id}`,
      tags: [{ name: topic.visibility }],
      message: { $ref: `#/components/messages/${id}` },
    },
    bindings: {
      kafka: {
        topic: topic.baseName,
        partitions: topic.partitions,
        topicConfiguration: topicConfigurationOf(topic.configs),
        bindingVersion: '0.4.0',
      },
    },
  };
}

function messageOf(id: TopicId, topic: TopicDefinition): Record<string, unknown> {
  return {
    name: id,
    title: String(topic.schema.title ?? id),
    contentType: 'application/json',
    schemaFormat: 'application/schema+json;version=draft-07',
    payload: topic.schema,
    bindings: { kafka: { key: { type: 'string', description: topic.key }, bindingVersion: '0.4.0' } },
    examples: [{ name: 'example', payload: topic.example }],
  };
}

/** The Kafka binding's topicConfiguration knows a few configs, with typed values. */
function topicConfigurationOf(configs: Readonly<Record<string, string>>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(configs)) {
    if (name === 'cleanup.policy') result[name] = value.split(',');
    else if (['retention.ms', 'retention.bytes', 'delete.retention.ms', 'max.message.bytes'].includes(name))
      result[name] = Number(value);
  }
  return result;
}
