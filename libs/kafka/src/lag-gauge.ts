import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaMetrics } from './metrics';

const DEFAULT_LAG_REFRESH_MS = 10_000;

export interface LagGaugeOptions {
  kafka: Kafka;
  groupId: string;
  topicNames: string[];
  log: Logger;
  /** the gauge; without it nothing is refreshed on a timer */
  metrics?: KafkaMetrics;
  /** default 10 s, 0 = never */
  refreshMs?: number;
}

export interface LagGauge {
  /** refreshes on a timer from now on (once; needs metrics and a positive period) */
  startRefreshing(): void;
  stopRefreshing(): void;
  /** reads the group's committed offsets and the partitions' end offsets into the gauge */
  refresh(): Promise<void>;
  /** waits for a refresh under way and disconnects the admin client */
  close(): Promise<void>;
}

/**
 * The consumer lag gauge, refreshed from the broker through an admin client of its own, independently
 * of consumption: a consumer that is stalled or down shows a growing lag.
 */
export function lagGauge(options: LagGaugeOptions): LagGauge {
  const { kafka, groupId, topicNames, log, metrics } = options;
  let timer: NodeJS.Timeout | undefined;
  let admin: Admin | undefined;
  let refreshing: Promise<void> | undefined;

  function startRefreshing(): void {
    const every = options.refreshMs ?? DEFAULT_LAG_REFRESH_MS;
    if (!metrics || every <= 0 || timer) return;
    timer = setInterval(() => void refresh(), every);
    timer.unref();
  }

  /** lag = end offset − committed offset (the partition's earliest offset when the group committed none) */
  function refresh(): Promise<void> {
    refreshing ??= (async () => {
      try {
        // no retries: the next tick asks again
        admin ??= kafka.admin({ retry: { retries: 0 } });
        await admin.connect();
        const committed = await admin.fetchOffsets({ groupId, topics: topicNames });
        for (const { topic, partitions } of committed) {
          const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, p]));
          for (const { partition, offset } of partitions) {
            const end = ends.get(partition);
            if (!end) continue;
            const from = BigInt(offset) >= 0n ? BigInt(offset) : BigInt(end.low);
            const lag = BigInt(end.high) - from;
            metrics?.consumerLag.set(
              { topic, partition: String(partition), group: groupId },
              Number(lag > 0n ? lag : 0n),
            );
          }
        }
      } catch (error) {
        log.debug({ err: error }, 'could not read the offsets for the lag gauge; the next tick retries');
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  }

  async function close(): Promise<void> {
    await refreshing;
    await admin?.disconnect().catch(() => undefined);
  }

  return { startRefreshing, stopRefreshing: () => clearInterval(timer), refresh, close };
}
