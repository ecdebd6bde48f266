/** Connection and behaviour settings; the config lib maps environment variables onto this. */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** put in front of every topic's base name, e.g. `staging.` → `staging.raw.airbnb.v1` */
  topicPrefix: string;
  /** exactly-once per partition on real clusters; must be false on the librdkafka mock (it has no controller) */
  idempotentProducer: boolean;
  /** create missing topics with the registry's partitions/configs; false = rely on broker auto-creation */
  createTopics: boolean;
  /** when set, values use the Confluent wire format and are registered as JSON Schemas */
  schemaRegistryUrl?: string;
  ssl?: boolean;
  sasl?: {
    mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    username: string;
    password: string;
  };
}
