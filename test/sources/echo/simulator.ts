import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The echo upstream: `GET /accounts/<id>/items` with `Authorization: Bearer <token>` → `{ items: [{ id, title }] }`. */
export interface EchoSimulator {
  url: string;
  /** requests served, by path */
  requests: string[];
  setItems(accountId: string, items: Array<{ id: string; title: string }>): void;
  close(): Promise<void>;
}

export async function startEchoSimulator(tokens: Record<string, string>): Promise<EchoSimulator> {
  const items = new Map<string, Array<{ id: string; title: string }>>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const match = /^\/accounts\/([^/]+)\/items$/.exec(req.url ?? '');
    requests.push(req.url ?? '');
    if (!match) return void res.writeHead(404).end();
    if (req.headers.authorization !== `Bearer ${tokens[match[1]]}`) return void res.writeHead(401).end();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ items: items.get(match[1]) ?? [] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    setItems: (accountId, list) => void items.set(accountId, list),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
