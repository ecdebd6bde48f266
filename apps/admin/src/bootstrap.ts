import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { AdminConfig } from '@staysync/config';
import { AdminModule, type AdminAppOptions } from './admin.module';
import { completeOpenApi } from './http/openapi';
import { AuthFailureLimiter } from './http/auth-failure-limiter';
import { securityHeaders } from './http/security-headers';
import { createValidationPipe } from './http/validation';
import { serveDashboard } from './ui/static-files';

/** Builds the admin HTTP app (used by main.ts, the demo and the integration tests). */
export async function createAdminApp(
  config: AdminConfig,
  options: AdminAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AdminModule.forRoot(config, options), {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.use(securityHeaders());
  app.use(app.get(AuthFailureLimiter).middleware());
  serveDashboard(app);
  // CORS stays off (no Access-Control-* headers) unless origins are allowed explicitly
  if (config.corsOrigins.length)
    app.enableCors({
      origin: config.corsOrigins,
      allowedHeaders: ['X-API-Key', 'Authorization', 'Content-Type'],
      maxAge: 600,
    });
  app.useBodyParser('json', { limit: config.bodyLimit });
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  const openApi = new DocumentBuilder()
    .setTitle('staysync admin API')
    .setDescription('Source accounts, sync jobs and replays. Authenticate with the X-API-Key header.')
    .setVersion('1')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api-key')
    .build();
  SwaggerModule.setup('docs', app, () => completeOpenApi(SwaggerModule.createDocument(app, openApi)), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
  return app;
}
