import type { DynamicModule, Provider } from '@nestjs/common';
import type { Logger } from 'pino';
import type { DestinationStream } from 'pino';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import type { CommonConfig } from '@staysync/config';
import { DbModule, PG_POOL } from '@staysync/db';
import { sourceEntities } from './entities';
import { BatchConsumerFactory, KafkaHealthService, KafkaModule } from '@staysync/kafka';
import {
  METRICS_REGISTRY,
  ObservabilityModule,
  READINESS_CHECKS,
  registerPoolMetrics,
  type ReadinessCheck,
} from '@staysync/observability';

/**
 * What every staysync service needs to be ready: its database answers, the brokers' metadata
 * can be read (through a probe client that does not retry, so an outage leaves nothing behind), and
 * each of its Kafka consumers is consuming (not starting, restarting after a crash, or given up).
 * Also registers the pool gauges.
 */
function serviceReadiness(service: string): Provider {
  return {
    provide: READINESS_CHECKS,
    inject: [PG_POOL, KafkaHealthService, BatchConsumerFactory, METRICS_REGISTRY],
    useFactory: (
      pool: Pool,
      kafka: KafkaHealthService,
      consumers: BatchConsumerFactory,
      registry: Registry,
    ): ReadinessCheck[] => {
      registerPoolMetrics(registry, service, pool);
      return [
        { name: 'database', check: async () => void (await pool.query('SELECT 1')) },
        {
          name: 'kafka',
          check: async () => {
            const health = await kafka.check();
            if (!health.ok) throw new Error(health.error);
          },
        },
        {
          name: 'consumers',
          check: async () => {
            const notRunning = consumers.notRunning();
            if (notRunning.length > 0) throw new Error(`not consuming: ${notRunning.join(', ')}`);
          },
        },
      ];
    },
  };
}

/**
 * The composition every staysync service imports (libs/observability, libs/db and libs/kafka stay
 * unaware of each other): logging/metrics/health, the database and Kafka
 * (whose components log through `logger` and register metrics in the service's registry).
 */
export function serviceInfrastructure(options: {
  config: CommonConfig;
  logger: Logger;
  logStream?: DestinationStream;
}): DynamicModule[] {
  const { config, logger, logStream } = options;
  return [
    ObservabilityModule.forRoot({
      service: config.service,
      logLevel: config.logLevel,
      logStream,
      readinessChecks: [serviceReadiness(config.service)],
    }),
    DbModule.forRoot({
      ...config.database,
      logger: logger.child({ component: 'database' }),
      sourceEntities: sourceEntities(),
    }),
    KafkaModule.forRootAsync({
      inject: [METRICS_REGISTRY],
      useFactory: (registry: Registry) => ({ settings: config.kafka, logger, metricsRegistry: registry }),
    }),
  ];
}
