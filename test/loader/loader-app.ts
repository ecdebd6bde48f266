import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadLoaderConfig, type LoaderConfig } from '@staysync/config';
import type { KafkaSettings } from '@staysync/kafka';
import { createLoaderApp } from '../../apps/loader/src/bootstrap';
import type { LoaderAppOptions } from '../../apps/loader/src/loader.module';
import { isMockBroker } from '../harness';
import { FAST_CONSUMER, FAST_RETRY } from '../kafka/support';

/** The loader's config on the test broker (mock-safe producer and topic flags), logging warnings and worse. */
export function loaderTestConfig(overrides: Record<string, string>): LoaderConfig {
  return loadLoaderConfig({
    KAFKA_BROKERS: process.env.KAFKA_BROKERS,
    KAFKA_IDEMPOTENT_PRODUCER: String(!isMockBroker()),
    KAFKA_CREATE_TOPICS: String(!isMockBroker()),
    LOG_LEVEL: 'warn',
    ...overrides,
  });
}

/** The loader's config for a suite's database and its LoaderTestKafka's topic prefix; a pool of 4, metrics published. */
export function loaderConfigOn(databaseUrl: string, settings: KafkaSettings): LoaderConfig {
  return loaderTestConfig({
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_MAX: '4',
    KAFKA_TOPIC_PREFIX: settings.topicPrefix,
    LOADER_PUBLISH_METRICS: 'true',
  });
}

/** A started loader with the tests' short consumer timings; its log lines go to `logStream` (default stdout). */
export async function startLoader(
  config: LoaderConfig,
  logStream?: LoaderAppOptions['logStream'],
): Promise<NestExpressApplication> {
  const app = await createLoaderApp(config, {
    logStream,
    consumerTuning: { consumerOptions: FAST_CONSUMER, retryBackoff: FAST_RETRY },
  });
  await app.init();
  return app;
}
