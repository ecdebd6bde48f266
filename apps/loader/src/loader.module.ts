import { DynamicModule, Module } from '@nestjs/common';
import type { DestinationStream, Logger } from 'pino';
import type { LoaderConfig } from '@staysync/config';
import { KAFKA_CLIENT, KAFKA_CONTEXT, type KafkaContext } from '@staysync/kafka';
import { RawTombstoneSender } from '@staysync/pipeline';
import type { Kafka } from 'kafkajs';
import { createLogger } from '@staysync/observability';
import { serviceInfrastructure } from '@staysync/runtime';
import type { LoaderBatchObserver } from './batch-observer';
import { LoaderService } from './loader.service';
import { RawResponsesConsumer, type ConsumerTuning } from './raw-responses.consumer';
import {
  LOADER_BATCH_OBSERVER,
  LOADER_CONFIG,
  LOADER_CONSUMER_TUNING,
  LOADER_LOGGER,
  RAW_TOMBSTONES,
} from './tokens';

export interface LoaderAppOptions {
  /** where log lines go (default stdout); tests pass a stream to inspect them */
  logStream?: DestinationStream;
  consumerTuning?: ConsumerTuning;
  /** watches every handled batch (the benchmark times batches with it) */
  batchObserver?: LoaderBatchObserver;
}

@Module({})
export class LoaderModule {
  static forRoot(config: LoaderConfig, options: LoaderAppOptions = {}): DynamicModule {
    const logger = createLogger({
      service: 'loader',
      level: config.logLevel,
      destination: options.logStream,
    });
    return {
      module: LoaderModule,
      imports: [...serviceInfrastructure({ config, logger, logStream: options.logStream })],
      providers: [
        { provide: LOADER_CONFIG, useValue: config },
        { provide: LOADER_LOGGER, useValue: logger satisfies Logger },
        { provide: LOADER_CONSUMER_TUNING, useValue: options.consumerTuning ?? {} },
        ...(options.batchObserver
          ? [{ provide: LOADER_BATCH_OBSERVER, useValue: options.batchObserver }]
          : []),
        {
          provide: RAW_TOMBSTONES,
          inject: [KAFKA_CLIENT, KAFKA_CONTEXT],
          useFactory: (kafka: Kafka, context: KafkaContext) =>
            new RawTombstoneSender(kafka, context.settings),
        },
        LoaderService,
        RawResponsesConsumer,
      ],
    };
  }
}
