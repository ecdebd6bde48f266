import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { FetcherConfig } from '@staysync/config';
import { FetcherModule, type FetcherAppOptions } from './fetcher.module';

/** Builds the fetcher app (used by main.ts, the demo and the integration tests). HTTP serves /health, /ready, /metrics. */
export async function createFetcherApp(
  config: FetcherConfig,
  options: FetcherAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(FetcherModule.forRoot(config, options), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return app;
}
