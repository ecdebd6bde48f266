import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DynamicModule, Module } from '@nestjs/common';
import type { FetcherConfig } from '@staysync/config';
import { createLogger } from '@staysync/observability';
import { serviceInfrastructure } from '@staysync/runtime';
import type { DestinationStream } from 'pino';
import { JobRunnerService, type FetcherRuntimeOptions } from './job-runner.service';
import { fetchPlugins } from './plugins';
import { SyncCommandsConsumer } from './sync-commands.consumer';
import { FETCH_PLUGINS, FETCHER_CONFIG, FETCHER_LOGGER, FETCHER_RUNTIME } from './tokens';

export interface FetcherAppOptions extends Partial<FetcherRuntimeOptions> {
  logStream?: DestinationStream;
}

export const DEFAULT_RUNTIME: Omit<FetcherRuntimeOptions, 'instanceId' | 'leaseMs' | 'sweepIntervalMs'> = {
  progressFlushMs: 1_000,
  commandConsumer: { maxWaitTimeInMs: 1_000 },
};

@Module({})
export class FetcherModule {
  static forRoot(config: FetcherConfig, options: FetcherAppOptions = {}): DynamicModule {
    const { logStream, ...runtimeOverrides } = options;
    const runtime: FetcherRuntimeOptions = {
      ...DEFAULT_RUNTIME,
      leaseMs: config.jobLeaseMs,
      sweepIntervalMs: config.sweepIntervalMs,
      instanceId: `${hostname()}-${randomUUID().slice(0, 8)}`,
      ...definedOnly(runtimeOverrides),
    };
    const logger = createLogger({ service: 'fetcher', level: config.logLevel, destination: logStream });
    return {
      module: FetcherModule,
      imports: [...serviceInfrastructure({ config, logger, logStream })],
      providers: [
        { provide: FETCHER_CONFIG, useValue: config },
        { provide: FETCHER_RUNTIME, useValue: runtime },
        { provide: FETCHER_LOGGER, useValue: logger.child({ instanceId: runtime.instanceId }) },
        { provide: FETCH_PLUGINS, useValue: fetchPlugins(config) },
        JobRunnerService,
        SyncCommandsConsumer,
      ],
    };
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
