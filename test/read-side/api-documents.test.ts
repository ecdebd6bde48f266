import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Parser } from '@asyncapi/parser';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { createTestDatabase, randomTopicPrefix, type TestDatabase } from '../harness';
import { adminTestConfig, startAdmin } from '../admin/admin-app';

type Operation = {
  responses: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown }> }>;
  security?: unknown[];
  requestBody?: { content: Record<string, { example?: unknown }> };
};

describe('read side > API documents a client can be generated from', () => {
  let db: TestDatabase;
  let app: NestExpressApplication;
  let openApi: {
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    ({ app } = await startAdmin(
      adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: randomTopicPrefix() }),
    ));
    openApi = (await request(app.getHttpServer()).get('/docs/openapi.json').expect(200)).body;
    mkdirSync('artifacts/read-side', { recursive: true });
    writeFileSync('artifacts/read-side/openapi.json', JSON.stringify(openApi, null, 2));
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('OpenAPI: valid for @apidevtools/swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(openApi) as never)).resolves.toBeDefined();
  });

  it('OpenAPI: every operation documents a success with an example, its errors as problem+json, and its security', () => {
    const gaps: string[] = [];
    for (const [path, methods] of Object.entries(openApi.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        const codes = Object.keys(op.responses);
        const success = codes.filter((c) => c.startsWith('2'));
        if (success.length === 0) gaps.push(`${where}: no success response`);
        for (const code of success) {
          const content = op.responses[code].content;
          if (code !== '204' && !Object.values(content ?? {}).some((c) => c.example !== undefined))
            gaps.push(`${where} ${code}: no example`);
        }
        const errors = codes.filter((c) => /^[45]/.test(c));
        if (!errors.includes('401') || !errors.includes('429') || !errors.includes('500'))
          gaps.push(`${where}: errors ${errors.join(',')}`);
        for (const code of errors)
          if (!op.responses[code].content?.['application/problem+json'])
            gaps.push(`${where} ${code}: not problem+json`);
        if (op.requestBody && !Object.values(op.requestBody.content).some((c) => c.example !== undefined))
          gaps.push(`${where}: request without example`);
        if (!Array.isArray(op.security)) gaps.push(`${where}: no security`);
      }
    }
    expect(gaps).toEqual([]);
    expect(Object.keys(openApi.components.securitySchemes)).toEqual(['api-key', 'bearer', 'hostaway-basic']);
  });

  it('AsyncAPI: docs/asyncapi.json is 3.x and @asyncapi/parser reports nothing', async () => {
    const document = readFileSync('docs/asyncapi.json', 'utf8');
    expect(JSON.parse(document).asyncapi).toMatch(/^3\./);
    const diagnostics = await new Parser().validate(document);
    expect(diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual(
      [],
    );
  });
});
