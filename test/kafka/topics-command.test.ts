import { spawnSync } from 'node:child_process';
import { TOPIC_IDS, TOPICS } from '@staysync/contracts';
import { createKafka, topicConfigs, topicName } from '@staysync/kafka';
import { isMockBroker, randomTopicPrefix, testBrokers } from '@staysync/testing';
import { ConfigResourceTypes } from 'kafkajs';
import { testLogger } from './support';

/** `npm run topics`, as an operator runs it: a child process with only the Kafka environment. */
function runTopicsCommand(prefix: string): {
  mode: string;
  created: string[];
  existing: string[];
  autoCreated: string[];
} {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'apps/cli/src/main.ts', 'topics'], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      KAFKA_BROKERS: testBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      LOG_LEVEL: 'warn',
    },
  });
  if (result.status !== 0) throw new Error(`npm run topics exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!);
}

const describeOnApacheKafka = isMockBroker() ? describe.skip : describe;
if (isMockBroker())
  console.warn('topics-command: skipped on the librdkafka mock (no CreateTopics, no DescribeConfigs)');

describeOnApacheKafka('CLI > npm run topics (Apache Kafka)', () => {
  const prefix = randomTopicPrefix();
  const kafka = createKafka(
    {
      brokers: testBrokers(),
      clientId: 'topics-test',
      topicPrefix: prefix,
      idempotentProducer: true,
      createTopics: true,
    },
    testLogger,
  );
  const admin = kafka.admin();
  const names = TOPIC_IDS.map((id) => topicName(id, prefix));

  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.deleteTopics({ topics: names }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates every topic with its partition count and configs; a second run changes nothing', async () => {
    const first = runTopicsCommand(prefix);
    expect(first).toEqual({ mode: 'create-topics', created: [...names], existing: [], autoCreated: [] });

    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    expect(Object.fromEntries(topics.map((t) => [t.name, t.partitions.length]))).toEqual(
      Object.fromEntries(TOPIC_IDS.map((id) => [topicName(id, prefix), TOPICS[id].partitions])),
    );

    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: TOPIC_IDS.map((id) => ({
        type: ConfigResourceTypes.TOPIC,
        name: topicName(id, prefix),
        configNames: Object.keys(topicConfigs(id)),
      })),
    });
    for (const id of TOPIC_IDS) {
      const resource = described.resources.find((r) => r.resourceName === topicName(id, prefix))!;
      const onBroker = Object.fromEntries(resource.configEntries.map((e) => [e.configName, e.configValue]));
      expect({ topic: id, configs: onBroker }).toEqual({ topic: id, configs: topicConfigs(id) });
    }
    // what the registry promises, spelled out for the topics others depend on
    expect(topicConfigs('raw.airbnb')).toMatchObject({
      'cleanup.policy': 'compact,delete',
      'retention.ms': String(400 * 86_400_000),
      'compression.type': 'gzip',
      'max.message.bytes': String(8 * 1024 * 1024),
    });
    expect(topicConfigs('accounts.events')).toMatchObject({
      'cleanup.policy': 'delete',
      'retention.ms': expect.stringMatching(/^\d+$/),
    });

    const second = runTopicsCommand(prefix);
    expect(second).toEqual({ mode: 'create-topics', created: [], existing: [...names], autoCreated: [] });
  });
});
