import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Timers of delayed replies (latency, hangs); cleared at close so a closing simulator never answers late. */
export class ReplyTimers {
  private readonly timers = new Set<NodeJS.Timeout>();

  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  clear(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

/** Listens on 127.0.0.1 (port 0: any free one) and resolves with the port. */
export async function listenOnLoopback(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/**
 * Closes at once: pending latency/hang timers never fire, and their requests die with the sockets,
 * which are all destroyed (held requests included).
 */
export function closeNow(server: Server, timers: ReplyTimers): Promise<void> {
  return new Promise<void>((resolve) => {
    timers.clear();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
