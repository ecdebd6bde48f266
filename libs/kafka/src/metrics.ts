import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Producer and consumer metrics on one prom-client registry (created once per registry, then shared). */
export interface KafkaMetrics {
  producedMessages: Counter<'topic'>;
  producedBytes: Counter<'topic'>;
  produceErrors: Counter<'topic'>;
  produceSeconds: Histogram<'topic'>;
  consumedMessages: Counter<'topic' | 'group'>;
  batchSeconds: Histogram<'topic' | 'group'>;
  /** the partition's end offset minus the group's committed offset, refreshed from the broker on a timer */
  consumerLag: Gauge<'topic' | 'partition' | 'group'>;
  /** new consumers started after kafkajs gave up on one */
  consumerRestarts: Counter<'group'>;
  deadLetters: Counter<'topic' | 'group' | 'stage'>;
  handlerRetries: Counter<'topic' | 'group'>;
}

const registered = new WeakMap<Registry, KafkaMetrics>();

export function createKafkaMetrics(registry: Registry): KafkaMetrics {
  const existing = registered.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: KafkaMetrics = {
    producedMessages: new Counter({
      name: 'staysync_kafka_produced_messages_total',
      help: 'Messages produced',
      labelNames: ['topic'],
      registers,
    }),
    producedBytes: new Counter({
      name: 'staysync_kafka_produced_bytes_total',
      help: 'Encoded key + value bytes produced (before compression)',
      labelNames: ['topic'],
      registers,
    }),
    produceErrors: new Counter({
      name: 'staysync_kafka_produce_errors_total',
      help: 'Failed produce calls',
      labelNames: ['topic'],
      registers,
    }),
    produceSeconds: new Histogram({
      name: 'staysync_kafka_produce_duration_seconds',
      help: 'Latency of one send (encode + produce + acks=all)',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    consumedMessages: new Counter({
      name: 'staysync_kafka_consumed_messages_total',
      help: 'Messages consumed and committed',
      labelNames: ['topic', 'group'],
      registers,
    }),
    batchSeconds: new Histogram({
      name: 'staysync_kafka_batch_duration_seconds',
      help: 'Time to decode, handle, dead-letter and commit one batch',
      labelNames: ['topic', 'group'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'staysync_kafka_consumer_lag',
      help: "Messages not yet committed by the group: the partition's end offset minus the group's committed offset (read from the broker on a timer)",
      labelNames: ['topic', 'partition', 'group'],
      registers,
    }),
    consumerRestarts: new Counter({
      name: 'staysync_kafka_consumer_restarts_total',
      help: 'Consumers restarted after a crash (kafkajs gave up on them)',
      labelNames: ['group'],
      registers,
    }),
    deadLetters: new Counter({
      name: 'staysync_kafka_dead_letters_total',
      help: 'Messages sent to the DLQ',
      labelNames: ['topic', 'group', 'stage'],
      registers,
    }),
    handlerRetries: new Counter({
      name: 'staysync_kafka_batch_retries_total',
      help: 'Batches left uncommitted for redelivery after a handler error',
      labelNames: ['topic', 'group'],
      registers,
    }),
  };
  registered.set(registry, metrics);
  return metrics;
}
