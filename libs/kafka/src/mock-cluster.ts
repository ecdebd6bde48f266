import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTethered } from './tethered';

/**
 * librdkafka's built-in mock cluster, started through Debian's `kcat`: the fallback broker for tests and
 * the demo where no Java is installed (a local Apache Kafka is used otherwise, see ./local-kafka.ts). It
 * keeps everything in memory, auto-creates topics (4 partitions) and lacks CreateTopics/DescribeGroups/
 * controller lookups; ./capabilities.ts detects that and turns the idempotent producer and topic
 * creation off. Like the local broker, it never outlives the process that started it.
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

export async function startMockCluster(options: { timeoutMs?: number } = {}): Promise<MockCluster> {
  if (!kcatAvailable()) {
    throw new Error(
      'kcat not found: install it (apt-get install -y kcat), or a JDK 17+ for a local Apache Kafka, or set KAFKA_BROKERS to a running broker',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'staysync-kcat-'));
  const logFile = join(dir, 'kcat.log');
  const { child, pid: started } = spawnTethered(
    'kcat',
    ['-b', 'localhost:1', '-X', 'test.mock.num.brokers=1', '-C', '-t', '_staysync_keepalive', '-q'],
    logFile,
  );
  try {
    const pid = await started;
    const brokers = await waitForAddress(child, logFile, options.timeoutMs ?? 10_000);
    let stopped: Promise<void> | undefined;
    return {
      brokers,
      pid,
      stop: () =>
        (stopped ??= stopProcess(child).finally(() => rmSync(dir, { recursive: true, force: true }))),
    };
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function waitForAddress(child: ChildProcess, logFile: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let log = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`kcat exited before the mock cluster was ready: ${log}`);
    log = readFileSync(logFile, { encoding: 'utf8', flag: 'a+' });
    const match = READY_LINE.exec(log);
    if (match) return match[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`mock cluster did not report its address within ${timeoutMs} ms: ${log}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    child.stdin?.end();
  });
}
