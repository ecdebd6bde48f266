import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Pool } from 'pg';
import type { DestinationStream } from 'pino';
import type { AdminConfig } from '@staysync/config';
import { CredentialCipher } from '@staysync/crypto';
import { DbModule, PG_POOL } from '@staysync/db';
import { checkBroker, KAFKA_CLIENT, KafkaModule } from '@staysync/kafka';
import type { Kafka } from 'kafkajs';
import { createLogger, METRICS_REGISTRY, ObservabilityModule, READINESS_CHECKS, registerPoolMetrics, type ReadinessCheck } from '@staysync/observability';
import type { Registry } from 'prom-client';
import { ADMIN_CONFIG } from './admin-config';
import { AirbnbAccountsController } from './accounts/airbnb-accounts.controller';
import { AirbnbAccountsService } from './accounts/airbnb-accounts.service';
import { API_KEYS, ApiKeyGuard } from './http/api-key.guard';
import { ProblemFilter } from './http/problem.filter';
import { JobsController } from './jobs/jobs.controller';
import { SyncJobsService } from './jobs/sync-jobs.service';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { SyncScheduler } from './scheduler/sync-scheduler.service';
import { CREDENTIAL_CIPHER } from './tokens';

/** The database answers and the brokers' metadata can be read. */
export function readinessChecks(pool: Pool, kafka: Kafka): ReadinessCheck[] {
  return [
    { name: 'database', check: async () => void (await pool.query('SELECT 1')) },
    {
      name: 'kafka',
      check: async () => {
        const health = await checkBroker(kafka);
        if (!health.ok) throw new Error(health.error);
      },
    },
  ];
}

export interface AdminAppOptions {
  logStream?: DestinationStream;
}

@Module({})
export class AdminModule {
  static forRoot(config: AdminConfig, options: AdminAppOptions = {}): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'admin',
          logLevel: config.logLevel,
          logStream: options.logStream,
          readinessChecks: [
            {
              provide: READINESS_CHECKS,
              inject: [PG_POOL, KAFKA_CLIENT, METRICS_REGISTRY],
              useFactory: (pool: Pool, kafka: Kafka, registry: Registry): ReadinessCheck[] => {
                registerPoolMetrics(registry, 'admin', pool);
                return readinessChecks(pool, kafka);
              },
            },
          ],
        }),
        DbModule.forRoot(config.database),
        KafkaModule.forRootAsync({
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => ({
            settings: config.kafka,
            logger: createLogger({ service: 'admin', level: config.logLevel, destination: options.logStream }),
            metricsRegistry: registry,
          }),
        }),
      ],
      controllers: [AirbnbAccountsController, JobsController],
      providers: [
        { provide: ADMIN_CONFIG, useValue: config },
        { provide: API_KEYS, useValue: config.apiKeys },
        { provide: CREDENTIAL_CIPHER, useValue: new CredentialCipher(config.credentialKeys) },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
        AirbnbAccountsService,
        SyncJobsService,
        OutboxRelayService,
        SyncScheduler,
      ],
    };
  }
}
