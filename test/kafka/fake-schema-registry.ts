import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Confluent Schema Registry stand-in with the endpoints @kafkajs/confluent-schema-registry calls:
 *   GET  /config/:subject              → 404 until set (the library then sets it after registering)
 *   PUT  /config/:subject              → { compatibility }
 *   POST /subjects/:subject/versions   → register: { id } (same schema text → same id, as Confluent does)
 *   POST /subjects/:subject            → look up a schema under a subject: { subject, id, version, schema } or 404
 *   GET  /schemas/ids/:id              → { schema, schemaType }
 *   GET  /subjects/:subject/versions/latest
 * Every request is recorded for assertions.
 */
export interface FakeSchemaRegistry {
  url: string;
  requests: Array<{ method: string; path: string }>;
  /** subject → registered schema ids, oldest first */
  subjects: Map<string, number[]>;
  stop(): Promise<void>;
}

interface StoredSchema {
  id: number;
  schema: string;
  schemaType: string;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function startFakeSchemaRegistry(): Promise<FakeSchemaRegistry> {
  const schemasById = new Map<number, StoredSchema>();
  const subjects = new Map<string, number[]>();
  const configs = new Map<string, string>();
  const requests: FakeSchemaRegistry['requests'] = [];

  function idFor(schema: string, schemaType: string): number {
    for (const stored of schemasById.values())
      if (stored.schema === schema && stored.schemaType === schemaType) return stored.id;
    const id = schemasById.size + 1;
    schemasById.set(id, { id, schema, schemaType });
    return id;
  }

  function route(method: string, path: string, body: Record<string, unknown>): [number, unknown] {
    let match: RegExpExecArray | null;
    if ((match = /^\/config\/([^/]+)$/.exec(path))) {
      const subject = decodeURIComponent(match[1]);
      if (method === 'PUT') {
        configs.set(subject, String(body.compatibility));
        return [200, { compatibility: body.compatibility }];
      }
      const level = configs.get(subject);
      return level
        ? [200, { compatibilityLevel: level }]
        : [404, { error_code: 40401, message: `Subject '${subject}' not found.` }];
    }
    if ((match = /^\/subjects\/([^/]+)\/versions$/.exec(path)) && method === 'POST') {
      const subject = decodeURIComponent(match[1]);
      const id = idFor(String(body.schema), String((body.schemaType as string | undefined) ?? 'AVRO'));
      const versions = subjects.get(subject) ?? [];
      if (!versions.includes(id)) versions.push(id);
      subjects.set(subject, versions);
      return [200, { id }];
    }
    if ((match = /^\/subjects\/([^/]+)\/versions\/latest$/.exec(path)) && method === 'GET') {
      const subject = decodeURIComponent(match[1]);
      const versions = subjects.get(subject);
      if (!versions) return [404, { error_code: 40401, message: `Subject '${subject}' not found.` }];
      const stored = schemasById.get(versions[versions.length - 1])!;
      return [
        200,
        {
          subject,
          id: stored.id,
          version: versions.length,
          schema: stored.schema,
          schemaType: stored.schemaType,
        },
      ];
    }
    if ((match = /^\/subjects\/([^/]+)$/.exec(path)) && method === 'POST') {
      const subject = decodeURIComponent(match[1]);
      const versions = subjects.get(subject);
      if (!versions) return [404, { error_code: 40401, message: `Subject '${subject}' not found.` }];
      const index = versions.findIndex((id) => schemasById.get(id)!.schema === body.schema);
      if (index < 0) return [404, { error_code: 40403, message: 'Schema not found' }];
      const stored = schemasById.get(versions[index])!;
      return [200, { subject, id: stored.id, version: index + 1, schema: stored.schema }];
    }
    if ((match = /^\/schemas\/ids\/(\d+)$/.exec(path)) && method === 'GET') {
      const stored = schemasById.get(Number(match[1]));
      return stored
        ? [200, { schema: stored.schema, schemaType: stored.schemaType }]
        : [404, { error_code: 40403, message: 'Schema not found' }];
    }
    return [404, { error_code: 404, message: `no route for ${method} ${path}` }];
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://registry').pathname;
      requests.push({ method: req.method ?? 'GET', path });
      let status: number;
      let payload: unknown;
      try {
        [status, payload] = route(
          req.method ?? 'GET',
          path,
          raw ? (JSON.parse(raw) as Record<string, unknown>) : {},
        );
      } catch (error) {
        [status, payload] = [422, { error_code: 42201, message: (error as Error).message }];
      }
      res.writeHead(status, { 'content-type': CONTENT_TYPE });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    subjects,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
