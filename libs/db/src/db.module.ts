import { DynamicModule, Global, Inject, Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { Pool } from 'pg';
import { ormConfig } from './orm-config';
import { detectStorageMode } from './platform';

/** node-postgres pool for set-based SQL (COPY, unnest upserts, advisory locks); MikroORM owns entity CRUD. */
export const PG_POOL = Symbol('PG_POOL');

@Injectable()
class DatabaseLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationBootstrap() {
    const { mode, version } = await detectStorageMode(this.pool);
    this.logger.log({ storageMode: mode, timescaleVersion: version }, `storage mode: ${mode}${version ? ` ${version}` : ' (TimescaleDB not installed: plain tables)'}`);
  }

  async onApplicationShutdown() {
    await this.pool.end();
  }
}

@Global()
@Module({})
export class DbModule {
  static forRoot(options: { url: string; poolMax: number }): DynamicModule {
    return {
      module: DbModule,
      imports: [MikroOrmModule.forRoot({ ...ormConfig(options), registerRequestContext: true })],
      providers: [
        { provide: PG_POOL, useFactory: () => new Pool({ connectionString: options.url, max: options.poolMax }) },
        DatabaseLifecycle,
      ],
      exports: [PG_POOL],
    };
  }
}
