import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/**
 * librdkafka's built-in mock cluster, started through Debian's `kcat`: a real Kafka-protocol
 * broker for tests and the demo where no Kafka is installed. It keeps everything in memory,
 * auto-creates topics (4 partitions) and lacks CreateTopics/DescribeGroups/controller lookups,
 * so idempotent producers and admin.createTopics must be off against it (see docs/architecture.md).
 */
export interface MockCluster {
  brokers: string;
  pid: number;
  stop(): Promise<void>;
}

const READY_LINE = /replaced with ([\d.]+:\d+)/;

export function kcatAvailable(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function startMockCluster(options: { timeoutMs?: number; detached?: boolean } = {}): Promise<MockCluster> {
  if (!kcatAvailable()) {
    throw new Error('kcat not found: install it (apt-get install -y kcat) or set KAFKA_BROKERS to a running broker');
  }
  const child = spawn(
    'kcat',
    ['-b', 'localhost:1', '-X', 'test.mock.num.brokers=1', '-C', '-t', '_staysync_keepalive', '-q'],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: options.detached ?? false },
  );
  const brokers = await waitForAddress(child, options.timeoutMs ?? 10_000);
  return {
    brokers,
    pid: child.pid!,
    stop: () => stopProcess(child),
  };
}

function waitForAddress(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mock cluster did not report its address within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = READY_LINE.exec(stderr);
      if (match) {
        clearTimeout(timer);
        // keep draining stderr so the child never blocks on a full pipe
        child.stderr!.removeAllListeners('data');
        child.stderr!.resume();
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kcat exited with ${code} before the mock cluster was ready: ${stderr}`));
    });
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 2000).unref();
  });
}
