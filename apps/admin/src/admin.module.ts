import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { DestinationStream } from 'pino';
import type { AdminConfig } from '@staysync/config';
import { CredentialCipher } from '@staysync/crypto';
import { createLogger } from '@staysync/observability';
import { serviceInfrastructure } from '@staysync/runtime';
import { ADMIN_CONFIG } from './admin-config';
import { AccountHardDeleteService } from './accounts/account-hard-delete.service';
import { accountsControllers } from './accounts/accounts.controller';
import { AccountsService, accountSources } from './accounts/accounts.service';
import { API_KEYS, ApiKeyGuard } from './http/api-key.guard';
import { AuthFailureLimiter } from './http/auth-failure-limiter';
import { ProblemFilter } from './http/problem.filter';
import { RateLimitGuard, rateLimitOptions } from './http/rate-limit.guard';
import { JobsController } from './jobs/jobs.controller';
import { SyncJobsService } from './jobs/sync-jobs.service';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { QueryController } from './query/query.controller';
import { QueryService } from './query/query.service';
import { StateMetrics } from './query/state-metrics';
import { ReplaysController } from './replays/replays.controller';
import { ReplaysService } from './replays/replays.service';
import { RetentionService } from './retention/retention.service';
import { SyncScheduler } from './scheduler/sync-scheduler.service';
import { ScheduleController } from './ui/ui.controller';
import { SOURCE_EXTENSIONS } from './source-extensions';
import { CREDENTIAL_CIPHER } from './tokens';

export interface AdminAppOptions {
  logStream?: DestinationStream;
}

@Module({})
export class AdminModule {
  static forRoot(config: AdminConfig, options: AdminAppOptions = {}): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        ...serviceInfrastructure({
          config,
          logger: createLogger({ service: 'admin', level: config.logLevel, destination: options.logStream }),
          logStream: options.logStream,
        }),
        ThrottlerModule.forRoot(rateLimitOptions(config)),
      ],
      controllers: [
        ...accountsControllers(accountSources()),
        ...SOURCE_EXTENSIONS.controllers,
        JobsController,
        ReplaysController,
        QueryController,
        ScheduleController,
      ],
      providers: [
        { provide: ADMIN_CONFIG, useValue: config },
        { provide: API_KEYS, useValue: config.apiKeys },
        { provide: CREDENTIAL_CIPHER, useValue: new CredentialCipher(config.credentialKeys) },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: RateLimitGuard },
        AuthFailureLimiter,
        { provide: APP_FILTER, useClass: ProblemFilter },
        AccountsService,
        AccountHardDeleteService,
        ...SOURCE_EXTENSIONS.providers,
        SyncJobsService,
        OutboxRelayService,
        SyncScheduler,
        ReplaysService,
        RetentionService,
        QueryService,
        StateMetrics,
      ],
    };
  }
}
