import {
  Global,
  Inject,
  Injectable,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type InjectionToken,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import type { TopicId } from '@staysync/contracts';
import type { Kafka, RecordMetadata } from 'kafkajs';
import pino, { type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { settingsForCluster } from './capabilities';
import { createKafka } from './client';
import { checkBroker, type BrokerHealth } from './health';
import { createCodec, type ValueCodec } from './codec';
import { createBatchConsumer, type BatchConsumer, type BatchConsumerOptions } from './consumer';
import { createKafkaMetrics, type KafkaMetrics } from './metrics';
import { createProducer, type KafkaProducer, type OutgoingMessage } from './producer';
import { provisionTopics } from './provision';
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

const KAFKA_MODULE_OPTIONS: InjectionToken = Symbol('KAFKA_MODULE_OPTIONS');

/**
 * Creates the registry's missing topics, with their partitions and configs, once per process before the
 * first send or subscribe (with `createTopics` on; otherwise the broker auto-creates them). A real broker
 * answers a subscription to a missing topic with UNKNOWN_TOPIC_OR_PARTITION, and auto-created topics
 * would get the broker's defaults instead of compaction and 12 partitions. `npm run topics` does the same
 * ahead of time.
 */
@Injectable()
export class TopicProvisioner implements BeforeApplicationShutdown {
  private provisioned?: Promise<void>;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_CONTEXT) private readonly context: KafkaContext,
  ) {}

  ensure(): Promise<void> {
    if (!this.context.settings.createTopics) return Promise.resolve();
    this.provisioned ??= provisionTopics({
      kafka: this.kafka,
      settings: this.context.settings,
      logger: this.context.logger,
    }).then(
      () => undefined,
      (error: unknown) => {
        this.provisioned = undefined;
        throw error;
      },
    );
    return this.provisioned;
  }

  /** A provisioning still running at shutdown finishes first: its admin client must not outlive the app. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.provisioned?.catch(() => undefined);
  }
}

/** The app's one producer. Connects in the background at bootstrap (send() also connects), disconnects at shutdown. */
@Injectable()
export class KafkaProducerService implements KafkaProducer, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly producer: KafkaProducer;
  private readonly logger: Logger;

  constructor(
    @Inject(KAFKA_CLIENT) kafka: Kafka,
    @Inject(KAFKA_CODEC) codec: ValueCodec,
    @Inject(KAFKA_CONTEXT) context: KafkaContext,
    private readonly topics: TopicProvisioner,
  ) {
    this.producer = createProducer({ kafka, codec, ...context });
    this.logger = context.logger;
  }

  onApplicationBootstrap(): void {
    // a broker that is down at startup must not keep the app (and its health endpoint) from starting
    this.connect().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'producer could not connect yet; send() retries'),
    );
  }

  async connect(): Promise<void> {
    await this.topics.ensure();
    await this.producer.connect();
  }

  async send<T extends TopicId>(topicId: T, messages: OutgoingMessage<T>[]): Promise<RecordMetadata[]> {
    await this.topics.ensure();
    return this.producer.send(topicId, messages);
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** Readiness of the brokers, probed through a client of its own that does not retry connecting. */
@Injectable()
export class KafkaHealthService {
  private readonly probeClient: Kafka;

  constructor(@Inject(KAFKA_CONTEXT) context: KafkaContext) {
    this.probeClient = createKafka(context.settings, context.logger, { retry: { retries: 0 } });
  }

  check(timeoutMs = 2_000): Promise<BrokerHealth> {
    return checkBroker(this.probeClient, timeoutMs);
  }
}

export type BatchConsumerSpec<T extends TopicId> = Omit<
  BatchConsumerOptions<T>,
  'kafka' | 'settings' | 'codec' | 'logger' | 'producer' | 'metrics'
>;

/**
 * Creates batch consumers wired to the module's client, codec and producer (for the DLQ). Apps start
 * them in their own onApplicationBootstrap; they are drained in beforeApplicationShutdown, i.e.
 * before the producer disconnects in onApplicationShutdown.
 */
@Injectable()
export class BatchConsumerFactory implements BeforeApplicationShutdown {
  private readonly consumers: BatchConsumer[] = [];

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_CODEC) private readonly codec: ValueCodec,
    @Inject(KAFKA_CONTEXT) private readonly context: KafkaContext,
    private readonly producer: KafkaProducerService,
    private readonly topics: TopicProvisioner,
  ) {}

  create<T extends TopicId>(spec: BatchConsumerSpec<T>): BatchConsumer {
    const consumer = createBatchConsumer({
      onGiveUp: exitForARestart,
      beforeSubscribe: () => this.topics.ensure(),
      ...spec,
      kafka: this.kafka,
      codec: this.codec,
      producer: this.producer,
      ...this.context,
    });
    this.consumers.push(consumer);
    return consumer;
  }

  /** Groups of the consumers that are not consuming right now (starting, restarting, given up); /ready is 503 while any is. */
  notRunning(): string[] {
    return this.consumers
      .filter((consumer) => consumer.state() !== 'running')
      .map((consumer) => consumer.groupId);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }
}

/**
 * A consumer whose restarts are used up: shut the service down gracefully (Nest's SIGTERM hooks) and
 * exit non-zero, so the orchestrator starts a fresh process.
 */
function exitForARestart(): void {
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
}

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
        {
          provide: KAFKA_CONTEXT,
          inject: [KAFKA_MODULE_OPTIONS],
          useFactory: async (options: KafkaModuleOptions): Promise<KafkaContext> => {
            const logger = options.logger ?? pino({ name: 'kafka' });
            const probe = createKafka(options.settings, logger, { retry: { retries: 0 } });
            return {
              settings: await settingsForCluster(probe, options.settings, logger),
              logger,
              metrics: options.metricsRegistry ? createKafkaMetrics(options.metricsRegistry) : undefined,
            };
          },
        },
        {
          provide: KAFKA_CLIENT,
          inject: [KAFKA_CONTEXT],
          useFactory: (context: KafkaContext): Kafka => createKafka(context.settings, context.logger),
        },
        {
          provide: KAFKA_CODEC,
          inject: [KAFKA_MODULE_OPTIONS],
          useFactory: (options: KafkaModuleOptions): ValueCodec =>
            options.codec ?? createCodec(options.settings),
        },
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
