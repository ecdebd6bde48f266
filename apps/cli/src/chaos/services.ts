import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { spawnTethered } from '@staysync/kafka';

export type ServiceKind = 'admin' | 'fetcher' | 'loader';

/** A service that ended while nobody had signalled it. */
export interface Death {
  service: string;
  /** the process's exit status (128 + signal number when a signal ended it) */
  status: number | null;
  /** the last lines of its log */
  logTail: string;
}

const REPO_ROOT = resolve(__dirname, '../../../..');

/**
 * One service as its own OS process, started as `npm run start:<kind>` does (node with the swc
 * register hook on apps/<kind>/src/main.ts), configured by environment only, tethered to this process
 * (it dies with it, however this process ends). An exit nobody asked for is reported to `onDeath`.
 */
export class ServiceProcess {
  readonly logFile: string;
  private child?: ChildProcess;
  private pid?: number;
  private signalled = false;
  private exited?: Promise<number | null>;

  constructor(
    readonly name: string,
    readonly kind: ServiceKind,
    readonly port: number,
    private readonly env: Record<string, string>,
    logDir: string,
    private readonly onDeath: (death: Death) => void,
  ) {
    this.logFile = join(logDir, `${name}.log`);
  }

  /**
   * Starts the process; resolves once it is spawned (`ready` then settles when its /ready answers 200),
   * or with `waitReady` once it is ready.
   */
  async start(options: { waitReady?: boolean; timeoutMs?: number } = {}): Promise<void> {
    const { child, pid } = spawnTethered(
      process.execPath,
      ['-r', '@swc-node/register', `apps/${this.kind}/src/main.ts`],
      this.logFile,
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...this.env, PORT: String(this.port) },
      },
    );
    this.child = child;
    this.signalled = false;
    this.exited = new Promise((done) =>
      child.once('exit', (code) => {
        // the tether's pipe: nothing reads it any more, and an open handle would keep this process alive
        child.stdin?.destroy();
        done(code);
      }),
    );
    void this.exited.then((status) => {
      if (!this.signalled) this.onDeath({ service: this.name, status, logTail: this.logTail() });
    });
    this.pid = await pid;
    this.ready = this.waitReady(options.timeoutMs ?? 90_000);
    // a process stopped before it was ready is no failure of the run
    this.ready.catch(() => undefined);
    if (options.waitReady ?? true) await this.ready;
  }

  /** settles once /ready answered 200 (rejects if the process exits or the timeout passes first) */
  ready: Promise<void> = Promise.resolve();

  /** the service's own pid (not its launcher's), once started */
  get processId(): number | undefined {
    return this.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends `signal` to the service itself (not its launcher) and resolves with its exit status. */
  async kill(signal: NodeJS.Signals, timeoutMs = 40_000): Promise<number | null> {
    if (!this.running || this.pid === undefined) return null;
    this.signalled = true;
    process.kill(this.pid, signal);
    return within(this.exited!, timeoutMs, `${this.name} to exit after ${signal}`);
  }

  /**
   * The end of a run, once its figures are taken: SIGKILL. A graceful stop took ~5 s per service, and
   * 25 s for a replacement still waiting to join its group; the next run has its own database and topics.
   */
  async stop(): Promise<void> {
    await this.kill('SIGKILL').catch(() => undefined);
  }

  logTail(lines = 15): string {
    return existsSync(this.logFile)
      ? readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
      : '';
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`${this.name} exited while starting:\n${this.logTail()}`);
      const ok = await fetch(`http://127.0.0.1:${this.port}/ready`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      await sleep(200);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.logTail()}`);
  }
}

/** A free loopback TCP port (the OS picks it; nothing holds it after this returns). */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, fail) => (timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), timeoutMs)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
