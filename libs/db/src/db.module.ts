import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { EntityClass } from '@mikro-orm/core';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import type { Pool } from 'pg';
import { ormConfig } from './orm-config';
import { detectStorageMode } from './platform';
import { createPool } from './pool';

/** node-postgres pool for set-based SQL (COPY, unnest upserts, advisory locks); MikroORM owns entity CRUD. */
export const PG_POOL = Symbol('PG_POOL');

@Injectable()
class DatabaseLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationBootstrap() {
    const { mode, version } = await detectStorageMode(this.pool);
    this.logger.log(
      { storageMode: mode, timescaleVersion: version },
      `storage mode: ${mode}${version ? ` ${version}` : ' (TimescaleDB not installed: plain tables)'}`,
    );
  }

  async onApplicationShutdown() {
    await this.pool.end();
  }
}

/** a connection attempt to a database that does not answer fails the work instead of hanging it */
const CONNECT_TIMEOUT_MS = 10_000;

/** What the pool logs through (the service's pino logger; Nest's logger when none is given). */
export interface DbLogger {
  warn(fields: object, message: string): void;
}

/** The service's pool: a lost connection is logged and fails only the work that held it (see createPool). */
function servicePool(options: DbModuleOptions): Pool {
  const logger: DbLogger = options.logger ?? new Logger('Database');
  return createPool(
    { connectionString: options.url, max: options.poolMax, connectionTimeoutMillis: CONNECT_TIMEOUT_MS },
    (error, where) =>
      logger.warn(
        { err: { message: error.message, code: (error as { code?: string }).code }, connection: where },
        `database connection lost (${where})`,
      ),
  );
}

export interface DbModuleOptions {
  url: string;
  poolMax: number;
  logger?: DbLogger;
  /** the sources' account entities (libs/runtime's sourceEntities()) */
  sourceEntities?: readonly EntityClass<object>[];
}

@Global()
@Module({})
export class DbModule {
  static forRoot(options: DbModuleOptions): DynamicModule {
    return {
      module: DbModule,
      imports: [MikroOrmModule.forRoot({ ...ormConfig(options), registerRequestContext: true })],
      providers: [{ provide: PG_POOL, useFactory: () => servicePool(options) }, DatabaseLifecycle],
      exports: [PG_POOL],
    };
  }
}
