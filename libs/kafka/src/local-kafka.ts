import { spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { bundleDir, jvmPrerequisites, pomProperty, resolveBundle, type JarBundle } from './jar-cache';
import { freePorts } from './ports';
import { ownedTempDir } from './owned-dirs';
import { spawnTethered, stopTethered } from './tethered';

/**
 * A real Apache Kafka for tests, the demo and the bench: a single-node KRaft broker+controller run
 * from the jars of `tools/kafka/pom.xml`. The jars are resolved once by Maven into a cache outside the
 * work tree (`~/.cache/staysync/kafka-<version>-<pom hash>`, or under `$STAYSYNC_CACHE_DIR`); each start formats a fresh
 * storage directory in the temp dir, listens on free loopback ports and is gone after `stop()`.
 *
 * The broker never outlives the process that started it (see ./tethered.ts), however that process ends.
 */
export interface LocalKafka {
  /** `127.0.0.1:<port>` */
  brokers: string;
  /** the Apache Kafka version that runs, e.g. `4.1.1` */
  version: string;
  /** the broker JVM's pid (SIGSTOP/SIGCONT pause and resume it) */
  pid: number;
  /** the broker's own log (WARN and above, plus start/stop lines) */
  logFile: string;
  /** SIGTERM, wait for a clean shutdown (up to `timeoutMs`), then SIGKILL; removes the storage dir */
  stop(timeoutMs?: number): Promise<void>;
}

export interface LocalKafkaOptions {
  /** JVM heap, MiB (default 512) */
  heapMb?: number;
  /** progress lines (resolving jars, started) */
  log?: (line: string) => void;
  /** how long to wait for the broker to answer metadata (default 60 s) */
  startTimeoutMs?: number;
  /** extra `server.properties` entries */
  serverProperties?: Record<string, string | number>;
}

const POM = resolve(__dirname, '../../../tools/kafka/pom.xml');

/** The Kafka version pinned in tools/kafka/pom.xml (the one place it is written). */
export function localKafkaVersion(): string {
  return pomProperty(POM, 'kafka.version');
}

/** The broker's jars: tools/kafka/pom.xml, cached as `kafka-<version>-<pom hash>`. */
export function kafkaBundle(): JarBundle {
  const version = localKafkaVersion();
  return { pom: POM, name: `kafka-${version}`, label: `Apache Kafka ${version}` };
}

/** What is missing to run the local broker (empty when Java is there; Maven only matters for a cold cache). */
export function localKafkaPrerequisites(): { java: boolean; maven: boolean; cached: boolean } {
  return jvmPrerequisites(kafkaBundle());
}

/** True when `startLocalKafka()` can work here: Java, and either the jar cache or Maven to fill it. */
export function localKafkaAvailable(): boolean {
  const p = localKafkaPrerequisites();
  return p.java && (p.cached || p.maven);
}

/** `~/.cache/staysync/kafka-<version>-<pom hash>`: a changed pom resolves into a new cache. */
export function jarCacheDir(): string {
  return bundleDir(kafkaBundle());
}

/** Resolves the broker's jars into the cache (once; later calls return at once). Returns the jar dir. */
export function resolveKafkaJars(log: (line: string) => void = () => undefined): string {
  return resolveBundle(
    kafkaBundle(),
    log,
    "install Maven (apt-get install -y maven), or set KAFKA_BROKERS to a running broker, or install kcat (apt-get install -y kcat) to use librdkafka's mock cluster",
  );
}

export async function startLocalKafka(options: LocalKafkaOptions = {}): Promise<LocalKafka> {
  const log = options.log ?? (() => undefined);
  if (!localKafkaPrerequisites().java) {
    throw new Error(
      'Java not found: the local Apache Kafka needs a JDK 17+ (apt-get install -y openjdk-17-jre-headless); ' +
        "or set KAFKA_BROKERS to a running broker, or install kcat (apt-get install -y kcat) for librdkafka's mock cluster",
    );
  }
  const version = localKafkaVersion();
  const jars = join(resolveKafkaJars(log), 'lib');
  const home = ownedTempDir('staysync-kafka-');
  const [port, controllerPort] = await freePorts(2);
  const properties = join(home, 'server.properties');
  writeFileSync(properties, serverProperties(home, port, controllerPort, options.serverProperties ?? {}));
  writeFileSync(join(home, 'log4j2.properties'), LOG4J2);
  const logFile = join(home, 'broker.log');

  const java = ['-cp', `${jars}/*`];
  // `--cluster-id=<id>`: a random id may start with `-`, which as a separate argument reads as an option
  const format = spawnSync(
    'java',
    [...java, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId()}`, '-c', properties],
    {
      encoding: 'utf8',
    },
  );
  if (format.status !== 0) {
    rmSync(home, { recursive: true, force: true });
    throw new Error(
      `formatting the KRaft storage failed (exit ${format.status}): ${format.stdout}${format.stderr}`,
    );
  }

  const jvm = [
    `-Xms${options.heapMb ?? 512}m`,
    `-Xmx${options.heapMb ?? 512}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(home, 'log4j2.properties')}`,
    ...java,
    'kafka.Kafka',
    properties,
  ];
  const { child, pid: started } = spawnTethered('java', jvm, logFile);
  let stopped: Promise<void> | undefined;
  const removeHome = () => rmSync(home, { recursive: true, force: true });
  try {
    const pid = await started;
    await waitUntilAnswering(`127.0.0.1:${port}`, options.startTimeoutMs ?? 60_000, child, logFile);
    log(`broker: Apache Kafka ${version} (KRaft, single node) at 127.0.0.1:${port}, pid ${pid}`);
    return {
      brokers: `127.0.0.1:${port}`,
      version,
      pid,
      logFile,
      stop: (timeoutMs = 20_000) => (stopped ??= stopTethered(child, pid, timeoutMs).finally(removeHome)),
    };
  } catch (error) {
    child.kill('SIGKILL');
    spawnSync('pkill', ['-KILL', '-f', properties]);
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
    removeHome();
    throw new Error(`${(error as Error).message}${tail ? `\nbroker log:\n${tail}` : ''}`);
  }
}

function serverProperties(
  home: string,
  port: number,
  controllerPort: number,
  extra: Record<string, string | number>,
): string {
  const props: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(home, 'data'),
    // one node: internal topics with one replica, few partitions (each costs start-up time and files)
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 4,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 4,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'num.partitions': 1,
    // two cores: fewer threads than the defaults
    'num.network.threads': 2,
    'num.io.threads': 4,
    'background.threads': 2,
    'log.cleaner.threads': 1,
    // the cleaner looks for compactable logs every second (default 15 s), so compaction shows up in tests
    'log.cleaner.backoff.ms': 1000,
    'log.retention.check.interval.ms': 5000,
    ...extra,
  };
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}

const LOG4J2 = `status = error
appender.file.type = Console
appender.file.name = OUT
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.out.ref = OUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
`;

/** A KRaft cluster id: 16 random bytes, base64url without padding (what `kafka-storage random-uuid` prints). */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** Metadata answers and the group coordinator is loaded (the first consumer group would otherwise wait for it). */
async function waitUntilAnswering(
  brokers: string,
  timeoutMs: number,
  child: ChildProcess,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({
    clientId: 'staysync-local-kafka',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  let lastError = '';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`the broker exited during start-up (log: ${logFile})`);
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
      // finds the group coordinator, which throws until __consumer_offsets is created and loaded
      await admin.describeGroups(['staysync-local-kafka-warmup']);
      return;
    } catch (error) {
      lastError = (error as Error).message;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the broker did not answer within ${timeoutMs} ms (${lastError}; log: ${logFile})`);
}
