import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tiny Hostaway stand-in for specs: records every request and answers through a replaceable handler. */
export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  body: string;
  startedAt: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** JSON-encoded unless `raw` is given */
  body?: unknown;
  raw?: string;
  delayMs?: number;
}

export type Handler = (req: SeenRequest) => Reply | Promise<Reply>;

export class FakeHostaway {
  readonly seen: SeenRequest[] = [];
  inFlight = 0;
  peakInFlight = 0;
  handler: Handler = () => ({ status: 404, body: { status: 'fail', message: 'no handler' } });

  private constructor(private readonly server: http.Server) {}

  static async start(handler?: Handler): Promise<FakeHostaway> {
    const server = http.createServer();
    const fake = new FakeHostaway(server);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => void fake.handle(req, res));
    if (handler) fake.handler = handler;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/`;
  }

  requests(pathPrefix: string): SeenRequest[] {
    return this.seen.filter((r) => r.path.startsWith(pathPrefix));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      const startedAt = Date.now();
      let body = '';
      for await (const chunk of req) body += (chunk as Buffer).toString();
      const url = new URL(req.url ?? '/', 'http://fake');
      const seen: SeenRequest = {
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/v1\//, ''),
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
        startedAt,
      };
      this.seen.push(seen);
      const reply = await this.handler(seen);
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      if (res.destroyed) return;
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.raw ?? JSON.stringify(reply.body ?? {}));
    } finally {
      this.inFlight -= 1;
    }
  }
}

/** A limit/offset page of `items` as Hostaway's list envelope. */
export function page(items: unknown[], query: Record<string, string>, extra: Record<string, unknown> = {}) {
  const limit = Number(query.limit ?? 100);
  const offset = Number(query.offset ?? 0);
  return {
    status: 'success',
    result: items.slice(offset, offset + limit),
    count: items.length,
    limit,
    offset,
    ...extra,
  };
}
