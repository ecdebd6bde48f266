import {
  Global,
  Module,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type Provider,
} from '@nestjs/common';
import { BatchConsumerFactory } from './batch-consumer.factory';
import {
  KAFKA_CLIENT,
  KAFKA_CODEC,
  KAFKA_CONTEXT,
  KAFKA_MODULE_OPTIONS,
  kafkaContextProviders,
  type KafkaModuleOptions,
} from './kafka-context';
import { KafkaHealthService } from './kafka-health.service';
import { KafkaProducerService } from './kafka-producer.service';
import { TopicProvisioner } from './topic-provisioner';

/**
 * The app's Kafka: the resolved context, client and codec (kafka-context.ts), topic provisioning, the
 * one producer, the batch consumer factory and the broker health check. Global: import it once.
 */
@Global()
@Module({})
export class KafkaModule {
  static forRoot(options: KafkaModuleOptions): DynamicModule {
    return KafkaModule.withOptionsProvider({ provide: KAFKA_MODULE_OPTIONS, useValue: options });
  }

  static forRootAsync(options: {
    imports?: ModuleMetadata['imports'];
    inject?: InjectionToken[];
    useFactory: (...args: never[]) => KafkaModuleOptions | Promise<KafkaModuleOptions>;
  }): DynamicModule {
    return {
      ...KafkaModule.withOptionsProvider({
        provide: KAFKA_MODULE_OPTIONS,
        useFactory: options.useFactory,
        inject: options.inject ?? [],
      }),
      imports: options.imports ?? [],
    };
  }

  private static withOptionsProvider(optionsProvider: Provider): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        optionsProvider,
        ...kafkaContextProviders,
        TopicProvisioner,
        KafkaProducerService,
        BatchConsumerFactory,
        KafkaHealthService,
      ],
      exports: [
        TopicProvisioner,
        KAFKA_CONTEXT,
        KAFKA_CLIENT,
        KAFKA_CODEC,
        KafkaProducerService,
        BatchConsumerFactory,
        KafkaHealthService,
      ],
    };
  }
}
