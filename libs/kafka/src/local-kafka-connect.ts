import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleDir, jvmPrerequisites, pomProperty, resolveBundle, type JarBundle } from './jar-cache';
import { ownedTempDir } from './owned-dirs';
import { freePorts } from './ports';
import { launchJvm, propertiesText } from './jvm';

/**
 * Kafka Connect in standalone mode with Debezium's JDBC sink connector, from the jars of
 * `tools/kafka-connect/pom.xml` (resolved once into the same jar cache as the local broker, see
 * ./jar-cache.ts): the bench's first peer (issue 17). The worker starts with no connector; connectors
 * are created through its REST API, so a caller can time a connector from its creation. JSON converters
 * with schemas for keys and values; offsets file, config and log in a temp dir removed by `stop()`.
 * Like the broker, the JVM never outlives the process that started it (./tethered.ts).
 */
export interface LocalKafkaConnect {
  /** `http://127.0.0.1:<port>` */
  restUrl: string;
  /** `kafka-<version> debezium-<version>` */
  versions: { kafka: string; debezium: string };
  /** the worker JVM's pid (its CPU time is in /proc/<pid>/stat) */
  pid: number;
  /** the worker's log (INFO and above) */
  logFile: string;
  /** POST /connectors; resolves once the worker accepted it */
  createConnector(name: string, config: Record<string, string>): Promise<void>;
  /** DELETE /connectors/<name>: stops its tasks (standalone: before the call returns) */
  deleteConnector(name: string): Promise<void>;
  /** GET /connectors/<name>/status: the connector's and its tasks' states (a failed task's trace included) */
  connectorStatus(name: string): Promise<ConnectorStatus>;
  /** SIGTERM, up to `timeoutMs` for a clean shutdown, then SIGKILL; removes the temp dir */
  stop(timeoutMs?: number): Promise<void>;
}

export interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: Array<{ id: number; state: string; trace?: string }>;
}

export interface LocalKafkaConnectOptions {
  /** the Kafka cluster the worker and its connectors use */
  brokers: string;
  /** JVM heap, MiB (default 512) */
  heapMb?: number;
  log?: (line: string) => void;
  /** how long to wait for the REST API (default 120 s: on 2 cores the worker takes 10–30 s to start) */
  startTimeoutMs?: number;
  /** extra worker properties (e.g. `consumer.max.poll.records`) */
  workerProperties?: Record<string, string | number>;
}

const POM = resolve(__dirname, '../../../tools/kafka-connect/pom.xml');

/** The connect runtime's and Debezium's versions pinned in tools/kafka-connect/pom.xml. */
export function kafkaConnectVersions(): { kafka: string; debezium: string } {
  return { kafka: pomProperty(POM, 'kafka.version'), debezium: pomProperty(POM, 'debezium.version') };
}

/** Connect's jars: tools/kafka-connect/pom.xml, cached as `kafka-connect-<kafka>-debezium-<debezium>-<pom hash>`. */
export function kafkaConnectBundle(): JarBundle {
  const v = kafkaConnectVersions();
  return {
    pom: POM,
    name: `kafka-connect-${v.kafka}-debezium-${v.debezium}`,
    label: `Kafka Connect ${v.kafka} with Debezium JDBC sink ${v.debezium}`,
  };
}

/**
 * Why Kafka Connect cannot run here (null when it can): it needs Java, and Maven unless the jars are
 * already cached.
 */
export function kafkaConnectUnavailable(): string | null {
  const bundle = kafkaConnectBundle();
  const p = jvmPrerequisites(bundle);
  if (!p.java)
    return 'Java not found (Kafka Connect needs a JDK 17+: apt-get install -y openjdk-17-jre-headless)';
  if (!p.cached && !p.maven)
    return `Maven (mvn) not found and the Kafka Connect jars are not cached in ${bundleDir(bundle)} (apt-get install -y maven)`;
  return null;
}

/** Resolves Connect's jars into the cache (once). Returns the cache dir (jars in `lib/`). */
export function resolveKafkaConnectJars(log: (line: string) => void = () => undefined): string {
  return resolveBundle(kafkaConnectBundle(), log);
}

export async function startLocalKafkaConnect(options: LocalKafkaConnectOptions): Promise<LocalKafkaConnect> {
  const log = options.log ?? (() => undefined);
  const unavailable = kafkaConnectUnavailable();
  if (unavailable) throw new Error(`Kafka Connect cannot start: ${unavailable}`);
  const versions = kafkaConnectVersions();
  const jars = join(resolveKafkaConnectJars(log), 'lib');
  const home = ownedTempDir('staysync-connect-');
  const [port] = await freePorts(1);
  const properties = join(home, 'worker.properties');
  writeFileSync(properties, workerProperties(home, options.brokers, port, options.workerProperties ?? {}));
  const restUrl = `http://127.0.0.1:${port}`;
  const worker = await launchJvm({
    name: 'kafka connect',
    home,
    jars,
    mainClass: 'org.apache.kafka.connect.cli.ConnectStandalone',
    properties,
    log4j2: LOG4J2,
    logFileName: 'connect.log',
    heapMb: options.heapMb ?? 512,
    startTimeoutMs: options.startTimeoutMs ?? 120_000,
    ready: () => servesRest(restUrl),
  });
  log(
    `kafka connect: ${versions.kafka} standalone, Debezium ${versions.debezium}, REST at ${restUrl}, pid ${worker.pid}`,
  );
  return {
    ...worker,
    restUrl,
    versions,
    createConnector: async (name, config) => {
      const response = await fetch(`${restUrl}/connectors`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name, config }),
      });
      if (!response.ok)
        throw new Error(
          `kafka connect: creating connector ${name} failed (${response.status}): ${await response.text()}`,
        );
    },
    deleteConnector: async (name) => {
      const response = await fetch(`${restUrl}/connectors/${encodeURIComponent(name)}`, {
        method: 'DELETE',
      });
      if (!response.ok)
        throw new Error(
          `kafka connect: deleting connector ${name} failed (${response.status}): ${await response.text()}`,
        );
    },
    connectorStatus: async (name) => {
      const response = await fetch(`${restUrl}/connectors/${encodeURIComponent(name)}/status`);
      if (!response.ok)
        throw new Error(
          `kafka connect: status of ${name} failed (${response.status}): ${await response.text()}`,
        );
      return (await response.json()) as ConnectorStatus;
    },
  };
}

function workerProperties(
  home: string,
  brokers: string,
  port: number,
  extra: Record<string, string | number>,
): string {
  const props: Record<string, string | number> = {
    'bootstrap.servers': brokers,
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'true',
    'value.converter.schemas.enable': 'true',
    'offset.storage.file.filename': join(home, 'connect.offsets'),
    listeners: `http://127.0.0.1:${port}`,
    // every plugin is on the class path and ships a ServiceLoader manifest: no reflective scan of ~90 jars
    'plugin.discovery': 'service_load',
    ...extra,
  };
  return propertiesText(props);
}

const LOG4J2 = `status = error
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = OUT
logger.kafka.name = org.apache.kafka
logger.kafka.level = warn
logger.connect.name = org.apache.kafka.connect
logger.connect.level = info
logger.hibernate.name = org.hibernate
logger.hibernate.level = warn
logger.c3p0.name = com.mchange
logger.c3p0.level = warn
`;

/** The REST API answers `GET /connector-plugins` (the worker has started and loaded its plugins). */
async function servesRest(restUrl: string): Promise<void> {
  const response = await fetch(`${restUrl}/connector-plugins`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}
