import { TOPIC_IDS, TOPICS, type TopicDefinition, type TopicId } from './topics';

const KAFKA_BINDING = '0.5.0';

/**
 * The AsyncAPI 3.1 document of every topic, generated from TOPICS so it cannot drift from the
 * schema files. It is committed as docs/asyncapi.json; a spec regenerates and compares it
 * (rewrite it with `node -r @swc-node/register libs/contracts/scripts/write-asyncapi.ts`), and
 * test/read-side/api-documents.test.ts validates it with @asyncapi/parser (no error, no warning).
 * Channel addresses are base names: each deployment puts its own prefix in front. A topic's id
 * names its channel, its message (the message id) and, as `consume.<id>`, the operation of reading it.
 */
export function buildAsyncApi(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const id of TOPIC_IDS) {
    const topic: TopicDefinition = TOPICS[id];
    channels[id] = channelOf(id, topic);
    operations[`consume.${id}`] = {
      action: 'receive',
      title: `Consume ${topic.baseName}`,
      summary: `What a consumer of ${topic.baseName} receives.`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${id}` }],
      tags: [{ $ref: `#/components/tags/${topic.visibility}` }],
    };
    messages[id] = messageOf(id, topic);
  }
  return {
    asyncapi: '3.1.0',
    id: 'urn:staysync:topics',
    info: {
      title: 'staysync topics',
      version: '1.0.0',
      description:
        'Kafka topics of the staysync ingestion platform. Topics tagged `public` are a contract with other teams; ' +
        '`internal` ones are documented for on-call and may change with the services. Topic names get a per-deployment prefix. ' +
        'Values are JSON validated against the schemas below, or, when a Schema Registry is configured, the same JSON ' +
        'in the Confluent wire format (magic byte 0, 4-byte schema id) registered under the subject `<topic>-value`.',
      license: { name: 'UNLICENSED' },
      tags: [{ $ref: '#/components/tags/public' }, { $ref: '#/components/tags/internal' }],
    },
    defaultContentType: 'application/json',
    servers: {
      compose: {
        host: 'kafka:9092',
        protocol: 'kafka',
        title: 'docker-compose broker',
        description:
          'The broker of docker-compose.yml (KAFKA_BROKERS of each service); other deployments set their own.',
        tags: [{ name: 'local', description: 'Started by docker-compose.yml' }],
      },
      local: {
        host: 'localhost:9092',
        protocol: 'kafka',
        title: 'developer broker',
        description: 'A broker on the developer machine (npm run demo starts one).',
        tags: [{ name: 'development', description: 'For development only' }],
      },
    },
    channels,
    operations,
    components: {
      messages,
      tags: {
        public: {
          name: 'public',
          description: 'A contract with other teams: changes are versioned (a new topic suffix).',
        },
        internal: { name: 'internal', description: 'Between staysync services; may change with them.' },
      },
    },
  };
}

function channelOf(id: TopicId, topic: TopicDefinition): Record<string, unknown> {
  return {
    address: topic.baseName,
    title: topic.baseName,
    description: topic.partitionedBy
      ? `${topic.description} Partitioned by ${topic.partitionedBy.description}.`
      : topic.description,
    messages: { [id]: { $ref: `#/components/messages/${id}` } },
    bindings: {
      kafka: {
        topic: topic.baseName,
        partitions: topic.partitions,
        topicConfiguration: topicConfigurationOf(topic.configs),
        bindingVersion: KAFKA_BINDING,
      },
    },
  };
}

function messageOf(id: TopicId, topic: TopicDefinition): Record<string, unknown> {
  const title = typeof topic.schema.title === 'string' ? topic.schema.title : id;
  return {
    name: id,
    title,
    summary: `A ${topic.baseName} value.`,
    contentType: 'application/json',
    payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: topic.schema },
    bindings: { kafka: { key: { type: 'string', description: topic.key }, bindingVersion: KAFKA_BINDING } },
    examples: [{ name: 'example', summary: `A typical ${title}`, payload: topic.example }],
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
