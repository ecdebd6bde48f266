import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AccountRequestProblem } from '@staysync/core';

export interface FieldProblem {
  field: string;
  message: string;
}

/** RFC 9457 problem details for every error the API returns. */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    title: string,
    detail?: string,
    readonly fieldErrors?: FieldProblem[],
  ) {
    super({ title, detail }, status);
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost) {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, title, detail, errors } = this.describe(exception);
    if (status >= 500) this.logger.error({ err: exception, path: req.path }, 'unhandled error');
    res
      .status(status)
      .type('application/problem+json')
      .send(
        JSON.stringify({
          type: 'about:blank',
          title,
          status,
          detail,
          instance: req.originalUrl,
          ...(errors ? { errors } : {}),
        }),
      );
  }

  private describe(exception: unknown): {
    status: number;
    title: string;
    detail?: string;
    errors?: FieldProblem[];
  } {
    if (exception instanceof ProblemException) {
      const body = exception.getResponse() as { title: string; detail?: string };
      return {
        status: exception.getStatus(),
        title: body.title,
        detail: body.detail,
        errors: exception.fieldErrors,
      };
    }
    // what a source's account hook refused (libs/core: sources cannot throw admin's HTTP exceptions)
    if (exception instanceof AccountRequestProblem) {
      return {
        status: exception.status,
        title: TITLES[exception.status],
        detail: exception.detail,
        errors: exception.fieldErrors,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : (body as { message?: string | string[] }).message;
      return {
        status,
        title: TITLES[status] ?? 'Error',
        detail: Array.isArray(message) ? message.join('; ') : message,
      };
    }
    // body-parser errors (oversized or malformed JSON) carry their status on the error object
    const bodyError = exception as { status?: number; type?: string; message?: string };
    if (
      bodyError &&
      typeof bodyError.status === 'number' &&
      bodyError.status >= 400 &&
      bodyError.status < 500
    ) {
      const detail =
        bodyError.type === 'entity.too.large'
          ? 'request body exceeds the configured limit'
          : bodyError.message;
      return { status: bodyError.status, title: TITLES[bodyError.status] ?? 'Bad Request', detail };
    }
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, title: TITLES[500] };
  }
}
