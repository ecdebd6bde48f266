export type { KafkaSettings } from './settings';
export { topicName, topicIdsByName } from './topic-names';
export { createKafka, pinoLogCreator, kafkajsLevelFor } from './client';
export type { KafkaClientOverrides } from './client';
export { createCodec, createJsonCodec, createSchemaRegistryCodec } from './codec';
export type { ValueCodec, SchemaRegistryCodec, SchemaRegistryCodecOptions } from './codec';
export { brokerTrouble, InvalidMessageError, InvalidOutgoingMessageError } from './errors';
export { createProducer } from './producer';
export type { KafkaProducer, OutgoingMessage, ProducerOptions } from './producer';
export { createBatchConsumer } from './consumer';
export type { BatchConsumer, BatchConsumerOptions, ConsumerState } from './consumer';
export type { BatchConsumerStats } from './batch-outcomes';
export { DEFAULT_RESTART } from './restart-budget';
export type { RestartPolicy } from './restart-budget';
export type {
  BatchHandler,
  BatchResult,
  DecodedMessage,
  DecodedMessageOf,
  PoisonMessage,
} from './batch-handling';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff';
export type { BackoffOptions } from './backoff';
export { buildDeadLetter, deadLetterMessage } from './dlq';
export type { DeadLetterInput } from './dlq';
export { provisionTopics, topicConfigs } from './provision';
export {
  probeCapabilities,
  effectiveSettings,
  settingsForCluster,
  type BrokerCapabilities,
} from './capabilities';
export type { ProvisionOptions, ProvisionReport } from './provision';
export { checkBroker } from './health';
export type { BrokerHealth } from './health';
export { createKafkaMetrics } from './metrics';
export type { KafkaMetrics } from './metrics';
export { KafkaModule } from './kafka.module';
export { KAFKA_CLIENT, KAFKA_CODEC, KAFKA_CONTEXT } from './kafka-context';
export type { KafkaModuleOptions, KafkaContext } from './kafka-context';
export { KafkaProducerService } from './kafka-producer.service';
export { BatchConsumerFactory } from './batch-consumer.factory';
export type { BatchConsumerSpec } from './batch-consumer.factory';
export { KafkaHealthService } from './kafka-health.service';
export { startMockCluster, kcatAvailable } from './mock-cluster';
export { spawnTethered } from './tethered';
export type { MockCluster } from './mock-cluster';
export {
  startLocalKafka,
  localKafkaAvailable,
  localKafkaPrerequisites,
  localKafkaVersion,
  resolveKafkaJars,
} from './local-kafka';
export type { LocalKafka, LocalKafkaOptions } from './local-kafka';
export {
  startLocalKafkaConnect,
  kafkaConnectUnavailable,
  kafkaConnectVersions,
  resolveKafkaConnectJars,
} from './local-kafka-connect';
export type { LocalKafkaConnect, LocalKafkaConnectOptions, ConnectorStatus } from './local-kafka-connect';
