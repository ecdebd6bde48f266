import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { bundleDir, jvmPrerequisites, pomProperty, resolveBundle, type JarBundle } from './jar-cache';
import { freePorts } from './ports';
import { ownedTempDir } from './owned-dirs';
import { launchJvm, propertiesText } from './jvm';

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

  // `--cluster-id=<id>`: a random id may start with `-`, which as a separate argument reads as an option
  const format = spawnSync(
    'java',
    [
      '-cp',
      `${jars}/*`,
      'kafka.tools.StorageTool',
      'format',
      `--cluster-id=${clusterId()}`,
      '-c',
      properties,
    ],
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

  const kafka = new Kafka({
    clientId: 'staysync-local-kafka',
    brokers: [`127.0.0.1:${port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const broker = await launchJvm({
    name: 'broker',
    home,
    jars,
    mainClass: 'kafka.Kafka',
    properties,
    log4j2: LOG4J2,
    logFileName: 'broker.log',
    heapMb: options.heapMb ?? 512,
    startTimeoutMs: options.startTimeoutMs ?? 60_000,
    ready: () => answersMetadata(kafka),
  });
  log(`broker: Apache Kafka ${version} (KRaft, single node) at 127.0.0.1:${port}, pid ${broker.pid}`);
  return { brokers: `127.0.0.1:${port}`, version, ...broker };
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
  return propertiesText(props);
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
async function answersMetadata(kafka: Kafka): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    await admin.describeCluster();
    // finds the group coordinator, which throws until __consumer_offsets is created and loaded
    await admin.describeGroups(['staysync-local-kafka-warmup']);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
