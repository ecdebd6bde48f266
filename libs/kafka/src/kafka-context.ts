import type { InjectionToken, Provider } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { settingsForCluster } from './capabilities';
import { createKafka } from './client';
import { createCodec, type ValueCodec } from './codec';
import { createKafkaMetrics, type KafkaMetrics } from './metrics';
import type { KafkaSettings } from './settings';

export interface KafkaModuleOptions {
  settings: KafkaSettings;
  /** kafkajs and our Kafka components log through children of this logger */
  logger?: Logger;
  /** where producer/consumer metrics are registered */
  metricsRegistry?: Registry;
  /** default: from settings (Schema Registry when schemaRegistryUrl is set, JSON otherwise) */
  codec?: ValueCodec;
}

/** Resolved module options, with the logger and metrics filled in. */
export interface KafkaContext {
  settings: KafkaSettings;
  logger: Logger;
  metrics?: KafkaMetrics;
}

export const KAFKA_CONTEXT: InjectionToken = Symbol('KAFKA_CONTEXT');
export const KAFKA_CLIENT: InjectionToken = Symbol('KAFKA_CLIENT');
export const KAFKA_CODEC: InjectionToken = Symbol('KAFKA_CODEC');

/** The options as given to forRoot / forRootAsync; the module's own (not exported from the library). */
export const KAFKA_MODULE_OPTIONS: InjectionToken = Symbol('KAFKA_MODULE_OPTIONS');

/**
 * The options resolved: the default logger, the metrics on the given registry, and the settings
 * adjusted to what the cluster supports (asked through a probe client that does not retry).
 */
export async function resolveKafkaContext(options: KafkaModuleOptions): Promise<KafkaContext> {
  const logger = options.logger ?? pino({ name: 'kafka' });
  const probe = createKafka(options.settings, logger, { retry: { retries: 0 } });
  return {
    settings: await settingsForCluster(probe, options.settings, logger),
    logger,
    metrics: options.metricsRegistry ? createKafkaMetrics(options.metricsRegistry) : undefined,
  };
}

/** KAFKA_CONTEXT, KAFKA_CLIENT and KAFKA_CODEC, from the module's options. */
export const kafkaContextProviders: Provider[] = [
  {
    provide: KAFKA_CONTEXT,
    inject: [KAFKA_MODULE_OPTIONS],
    useFactory: resolveKafkaContext,
  },
  {
    provide: KAFKA_CLIENT,
    inject: [KAFKA_CONTEXT],
    useFactory: (context: KafkaContext): Kafka => createKafka(context.settings, context.logger),
  },
  {
    provide: KAFKA_CODEC,
    inject: [KAFKA_MODULE_OPTIONS],
    useFactory: (options: KafkaModuleOptions): ValueCodec => options.codec ?? createCodec(options.settings),
  },
];
