import type { Provider } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { PG_POOL } from '@staysync/db';
import { KafkaHealthService } from '@staysync/kafka';
import type { ReadinessCheck } from './health';
import { registerPoolMetrics } from './metrics';
import { METRICS_REGISTRY, READINESS_CHECKS } from './observability.module';

/**
 * What every staysync service needs to be ready: its database answers and the brokers' metadata
 * can be read (through a probe client that does not retry, so an outage leaves nothing behind).
 * Also registers the pool gauges.
 */
export function serviceReadiness(service: string): Provider {
  return {
    provide: READINESS_CHECKS,
    inject: [PG_POOL, KafkaHealthService, METRICS_REGISTRY],
    useFactory: (pool: Pool, kafka: KafkaHealthService, registry: Registry): ReadinessCheck[] => {
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
      ];
    },
  };
}
