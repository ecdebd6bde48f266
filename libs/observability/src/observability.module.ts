import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  Controller,
  DynamicModule,
  Get,
  Global,
  HttpCode,
  Inject,
  Injectable,
  MiddlewareConsumer,
  Module,
  NestModule,
  Res,
  type NestMiddleware,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response, NextFunction } from 'express';
import { LoggerModule } from 'nestjs-pino';
import pino, { type DestinationStream } from 'pino';
import type { Registry } from 'prom-client';
import { runReadinessChecks, type ReadinessCheck } from './health';
import { loggerOptions } from './logger';
import { createMetricsRegistry, httpMetrics } from './metrics';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Honour an incoming X-Request-Id when it is sane, else mint one; echo it back. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

@ApiExcludeController()
@Controller()
class OperationsController {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  @Get('health')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() res: Response) {
    const report = await runReadinessChecks(this.checks);
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  @Get('metrics')
  async metrics(@Res() res: Response) {
    res.setHeader('Content-Type', this.registry.contentType);
    res.send(await this.registry.metrics());
  }
}

@Injectable()
class HttpMetricsMiddleware implements NestMiddleware {
  private readonly metrics: ReturnType<typeof httpMetrics>;
  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.metrics = httpMetrics(registry);
  }

  use(req: Request, res: Response, next: NextFunction) {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // the matched route pattern keeps label cardinality bounded (ids are not labels)
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.metrics.requests.inc({ method: req.method, route, status: String(res.statusCode) });
      this.metrics.duration.observe({ method: req.method, route }, seconds);
    });
    next();
  }
}

export interface ObservabilityOptions {
  service: string;
  logLevel: string;
  /** module-scoped provider token resolving to ReadinessCheck[] */
  readinessChecks: DynamicModule['providers'];
  imports?: DynamicModule['imports'];
  /** where log lines go (default stdout); tests pass a stream to inspect them */
  logStream?: DestinationStream;
}

/** Logging (pino, request ids), Prometheus /metrics, /health and /ready for every app. */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        ...(options.imports ?? []),
        LoggerModule.forRoot({
          pinoHttp: [
            {
              ...loggerOptions({ service: options.service, level: options.logLevel }),
              genReqId: requestId,
              customProps: (req) => ({ requestId: (req as IncomingMessage & { id?: string }).id }),
              autoLogging: { ignore: (req) => ['/health', '/ready', '/metrics'].includes(req.url ?? '') },
            },
            options.logStream ?? pino.destination(1),
          ],
        }),
      ],
      controllers: [OperationsController],
      providers: [
        { provide: METRICS_REGISTRY, useValue: createMetricsRegistry(options.service) },
        ...(options.readinessChecks ?? []),
      ],
      exports: [METRICS_REGISTRY, LoggerModule],
    };
  }

  configure(consumer: MiddlewareConsumer) {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*');
  }
}
