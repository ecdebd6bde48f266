import type { OpenAPIObject } from '@nestjs/swagger';
import { REQUEST_EXAMPLES, RESPONSE_EXAMPLES } from './openapi-examples';

type Json = Record<string, unknown>;
interface Operation {
  parameters?: Array<{ in: string }>;
  requestBody?: { content: Record<string, Json> };
  responses: Record<string, Json & { description?: string; content?: Record<string, Json> }>;
  security?: Array<Record<string, string[]>>;
}

const PROBLEM = 'application/problem+json';
const problemRef = { $ref: '#/components/schemas/Problem' };

const ERRORS: Record<string, { description: string; example: Json }> = {
  '400': {
    description: 'The request is not valid: every field problem is listed in `errors`',
    example: {
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'from: from must be a day (YYYY-MM-DD)',
      instance: '/api/v1/airbnb/metrics/chart_query?from=2026-02-30',
      errors: [{ field: 'from', message: 'from must be a day (YYYY-MM-DD)' }],
    },
  },
  '401': {
    description: 'No credentials, or not valid ones',
    example: {
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: 'the API key is not valid',
      instance: '/api/v1/jobs',
    },
  },
  '403': {
    description: 'The API key lacks the scope (a `read` key on an operation that changes something)',
    example: {
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: 'the API key "viewer" has the read scope; this operation needs admin',
      instance: '/api/v1/replays',
    },
  },
  '404': {
    description: 'No such resource',
    example: {
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
      detail: 'job 0b6f1a52-3f0e-4c47-9d4e-2f1f7f3b9a10 does not exist',
      instance: '/api/v1/jobs/0b6f1a52-3f0e-4c47-9d4e-2f1f7f3b9a10',
    },
  },
  '429': {
    description:
      'Too many requests for this API key or client IP, or too many failed authentications from this IP; retry after `Retry-After` seconds',
    example: {
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      detail: 'more than 1200 requests per 60 s for this API key; retry after 17 s',
      instance: '/api/v1/jobs',
    },
  },
  '500': {
    description: 'An unexpected error (logged with the request id)',
    example: { type: 'about:blank', title: 'Internal Server Error', status: 500, instance: '/api/v1/jobs' },
  },
};

const CSV_EXAMPLE =
  'account_id,time,airbnb_listing_id,metric_date,p3_impressions_your_value\r\n6001,2026-11-22,745515258634591476,2026-11-20,134\r\n';
const NDJSON_EXAMPLE =
  '{"account_id":"6001","time":"2026-11-22","airbnb_listing_id":"745515258634591476","metric_date":"2026-11-20","p3_impressions_your_value":134}\n';

function problemResponse(code: string, existing?: { description?: string }): Json {
  const { description, example } = ERRORS[code] ?? {
    description: existing?.description ?? 'Error',
    example: { type: 'about:blank', title: 'Error', status: Number(code) },
  };
  const response: Json = {
    description: existing?.description ?? description,
    content: { [PROBLEM]: { schema: problemRef, example: { ...example, status: Number(code) } } },
  };
  if (code === '429')
    response.headers = {
      'Retry-After': {
        description: 'seconds until a request may succeed',
        schema: { type: 'integer', minimum: 1 },
      },
    };
  return response;
}

/**
 * Completes the document Nest builds from the decorators so a client can be generated from it: the
 * problem+json schema (with field errors) on every error an operation can answer, an example on every
 * success and request body, the streamed CSV/NDJSON answers of the read API, and each operation's
 * security (API key or Bearer; HTTP Basic for the Hostaway webhook).
 */
export function completeOpenApi(document: OpenAPIObject): OpenAPIObject {
  const components = (document.components ??= {});
  components.schemas = {
    ...components.schemas,
    FieldError: {
      type: 'object',
      required: ['field', 'message'],
      properties: {
        field: { type: 'string', example: 'from' },
        message: { type: 'string', example: 'from must be a day (YYYY-MM-DD)' },
      },
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details',
      required: ['type', 'title', 'status'],
      properties: {
        type: { type: 'string', example: 'about:blank' },
        title: { type: 'string', example: 'Bad Request' },
        status: { type: 'integer', example: 400 },
        detail: { type: 'string' },
        instance: { type: 'string', description: 'the request path and query' },
        errors: {
          type: 'array',
          items: { $ref: '#/components/schemas/FieldError' },
          description: 'one entry per invalid field (validation errors only)',
        },
      },
    },
  };
  components.securitySchemes = {
    ...components.securitySchemes,
    bearer: {
      type: 'http',
      scheme: 'bearer',
      description: 'The same API key as `Authorization: Bearer <key>`',
    },
    'hostaway-basic': {
      type: 'http',
      scheme: 'basic',
      description: 'Per-account webhook login and password (Hostaway unified webhooks)',
    },
  };

  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, value] of Object.entries(methods as Record<string, Operation>)) {
      const op = value;
      const name = `${method.toUpperCase()} ${path}`;
      const webhook = path === '/api/v1/hostaway/webhooks';
      op.security = webhook ? [{ 'hostaway-basic': [] }] : [{ 'api-key': [] }, { bearer: [] }];

      // an operation whose decorators name only errors still answers 200
      if (!Object.keys(op.responses).some((c) => c.startsWith('2')))
        op.responses['200'] = { description: 'OK' };
      const example = RESPONSE_EXAMPLES[name];
      for (const [code, response] of Object.entries(op.responses)) {
        if (!code.startsWith('2') || code === '204') continue;
        const json = response.content?.['application/json'] ?? { schema: { type: 'object' } };
        response.content = {
          ...response.content,
          'application/json': { ...json, ...(example !== undefined ? { example } : {}) },
        };
      }
      if (method === 'get' && (op.parameters ?? []).some((p) => (p as { name?: string }).name === 'format')) {
        const ok = op.responses['200'];
        ok.description =
          'format=json: one page (`next_cursor` continues); format=csv / ndjson: every matching row, streamed as a download (Content-Disposition)';
        ok.content = {
          ...ok.content,
          'text/csv': { schema: { type: 'string' }, example: CSV_EXAMPLE },
          'application/x-ndjson': { schema: { type: 'string' }, example: NDJSON_EXAMPLE },
        };
      }
      const request = REQUEST_EXAMPLES[name];
      if (op.requestBody && request !== undefined)
        for (const media of Object.values(op.requestBody.content)) media.example = request;

      const errors = new Set([
        '401',
        '429',
        '500',
        ...Object.keys(op.responses).filter((c) => /^[45]/.test(c)),
      ]);
      if (op.requestBody || op.parameters?.length || webhook) errors.add('400');
      if (!webhook) errors.add('403');
      if (path.includes('{')) errors.add('404');
      for (const code of [...errors].sort()) op.responses[code] = problemResponse(code, op.responses[code]);
    }
  }
  return document;
}
