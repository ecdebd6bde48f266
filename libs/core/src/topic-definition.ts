/** A JSON Schema document (draft-07), as read from a `schema.json` file. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** One Kafka topic of the contract: the core declares its own, a source plug-in the ones it publishes. */
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
