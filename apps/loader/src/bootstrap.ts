import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { LoaderConfig } from '@staysync/config';
import { LoaderModule, type LoaderAppOptions } from './loader.module';

/** Builds the loader app (used by main.ts, the demo and the integration tests); `init()` starts consuming. */
export async function createLoaderApp(
  config: LoaderConfig,
  options: LoaderAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(LoaderModule.forRoot(config, options), {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  return app;
}
