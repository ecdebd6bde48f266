import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { FetcherConfig } from '@staysync/config';
import { BatchConsumerFactory, type BatchConsumer } from '@staysync/kafka';
import type { Logger } from 'pino';
import { JobRunnerService } from './job-runner.service';
import type { FetcherRuntimeOptions } from './job-runner.service';
import { FETCHER_CONFIG, FETCHER_LOGGER, FETCHER_RUNTIME } from './tokens';

const START_RETRY_MS = 5_000;

/** `sync.commands` → claim and start the job. Claiming is quick, so offsets commit right after. */
@Injectable()
export class SyncCommandsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly consumer: BatchConsumer;
  private stopped = false;

  constructor(
    factory: BatchConsumerFactory,
    private readonly runner: JobRunnerService,
    @Inject(FETCHER_CONFIG) config: FetcherConfig,
    @Inject(FETCHER_RUNTIME) runtime: FetcherRuntimeOptions,
    @Inject(FETCHER_LOGGER) private readonly logger: Logger,
  ) {
    this.consumer = factory.create({
      // prefixed like the topics, so deployments (and test suites) sharing a broker don't share a group
      groupId: `${config.kafka.topicPrefix}staysync-fetcher`,
      topics: ['sync.commands'],
      // replaying old commands is harmless: a finished or taken job is not claimable
      fromBeginning: true,
      consumerOptions: runtime.commandConsumer,
      handler: async (batch) => {
        for (const message of batch) await this.runner.accept(message.value);
      },
    });
  }

  onApplicationBootstrap(): void {
    // a broker that is down at startup must not keep the app (and /health) from starting
    void this.start();
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
  }

  private async start(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.consumer.start();
        return;
      } catch (error) {
        this.logger.warn(
          { err: error },
          `sync.commands consumer could not start; retrying in ${START_RETRY_MS} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS).unref());
      }
    }
  }
}
