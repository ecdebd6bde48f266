import {
  kafkaConnectVersions,
  localKafkaVersion,
  resolveKafkaConnectJars,
  resolveKafkaJars,
  startLocalKafka,
} from '@staysync/kafka';

/**
 * `npm run cli -- kafka`: a local Apache Kafka (single-node KRaft, jars from Maven Central) for running
 * the services by hand; prints `KAFKA_BROKERS=…` and stays up until Ctrl-C. `--resolve-only` fills the
 * jar cache — the broker's and the bench's Kafka Connect peer's — and exits (CI does that before the
 * tests, so a slow download shows as its own step).
 */
export async function kafkaCommand(options: { resolveOnly?: boolean; heapMb?: string }): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (options.resolveOnly) {
    const dir = resolveKafkaJars(log);
    const connect = resolveKafkaConnectJars(log);
    console.log(
      JSON.stringify({
        version: localKafkaVersion(),
        jars: dir,
        kafka_connect: { ...kafkaConnectVersions(), jars: connect },
      }),
    );
    return;
  }
  const broker = await startLocalKafka({ log, heapMb: options.heapMb ? Number(options.heapMb) : undefined });
  console.log(`KAFKA_BROKERS=${broker.brokers}`);
  log(`broker log: ${broker.logFile}; Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    const stop = () => void broker.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
