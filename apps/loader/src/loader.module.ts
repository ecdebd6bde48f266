import { DynamicModule, Module } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { LoaderConfig } from '@staysync/config';
import { DbModule } from '@staysync/db';
import { KafkaModule, type KafkaModuleOptions } from '@staysync/kafka';
import { loggerOptions, METRICS_REGISTRY, ObservabilityModule, serviceReadiness } from '@staysync/observability';
import { LoaderService } from './loader.service';
import { RawResponsesConsumer, type ConsumerTuning } from './raw-responses.consumer';
import { LOADER_CONFIG, LOADER_CONSUMER_TUNING, LOADER_LOGGER } from './tokens';

export interface LoaderAppOptions {
  /** where log lines go (default stdout); tests pass a stream to inspect them */
  logStream?: DestinationStream;
  consumerTuning?: ConsumerTuning;
}

@Module({})
export class LoaderModule {
  static forRoot(config: LoaderConfig, options: LoaderAppOptions = {}): DynamicModule {
    const logger = pino(loggerOptions({ service: 'loader', level: config.logLevel }), options.logStream ?? pino.destination(1));
    return {
      module: LoaderModule,
      imports: [
        ObservabilityModule.forRoot({
          service: 'loader',
          logLevel: config.logLevel,
          logStream: options.logStream,
          readinessChecks: [serviceReadiness('loader')],
        }),
        DbModule.forRoot(config.database),
        KafkaModule.forRootAsync({
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry): KafkaModuleOptions => ({ settings: config.kafka, logger, metricsRegistry: registry }),
        }),
      ],
      providers: [
        { provide: LOADER_CONFIG, useValue: config },
        { provide: LOADER_LOGGER, useValue: logger satisfies Logger },
        { provide: LOADER_CONSUMER_TUNING, useValue: options.consumerTuning ?? {} },
        LoaderService,
        RawResponsesConsumer,
      ],
    };
  }
}

