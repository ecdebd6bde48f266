import type { Kafka } from 'kafkajs';

export type BrokerHealth =
  | { ok: true; latencyMs: number; brokers: number; clusterId: string }
  | { ok: false; latencyMs: number; error: string };

/**
 * Readiness probe: can we reach the cluster and read its metadata within `timeoutMs`? Never throws.
 * Connecting follows the client's retry settings even past the timeout (kafkajs cannot abort it), so
 * give probes their own client: `createKafka(settings, logger, { retry: { retries: 0 } })`.
 */
export async function checkBroker(kafka: Kafka, timeoutMs = 2_000): Promise<BrokerHealth> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  // no retries: a probe should answer now, and the caller probes again later
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer from the brokers within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    const cluster = await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
    return { ok: true, latencyMs: elapsed(), brokers: cluster.brokers.length, clusterId: cluster.clusterId };
  } catch (error) {
    return { ok: false, latencyMs: elapsed(), error: (error as Error).message };
  } finally {
    clearTimeout(timer);
    // not awaited: after a timeout the connection attempt may still be pending
    admin.disconnect().catch(() => undefined);
  }
}
