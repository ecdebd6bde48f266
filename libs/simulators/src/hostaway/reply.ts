import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the simulator answers: every body is JSON, errors included. */
export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes `reply`, unless the client is gone; returns whether it was written. */
export function writeReply(res: ServerResponse, reply: Reply): boolean {
  if (res.destroyed || res.writableEnded) return false;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
  return true;
}
