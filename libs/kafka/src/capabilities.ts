import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSettings } from './settings';

/**
 * What the connected cluster can do. A real Apache Kafka can do everything; librdkafka's mock cluster
 * (the fallback broker where no Java is installed) has no controller, hence no CreateTopics and no
 * idempotent producer. This probe is the one place that knows the difference: everything else reads
 * the effective settings it returns.
 */
export interface BrokerCapabilities {
  /** a broker answers as the cluster's controller: CreateTopics and InitProducerId work */
  controller: boolean;
  /** why not, when `controller` is false */
  reason?: string;
}

export async function probeCapabilities(admin: Pick<Admin, 'describeCluster'>): Promise<BrokerCapabilities> {
  const { brokers, controller } = await admin.describeCluster();
  if (controller === null || !brokers.some((broker) => broker.nodeId === controller)) {
    return {
      controller: false,
      reason: `the cluster reports no usable controller (controller id ${String(controller)}, brokers ${brokers.map((b) => b.nodeId).join(', ')})`,
    };
  }
  return { controller: true };
}

/** The settings to run with on a cluster with these capabilities. */
export function effectiveSettings(settings: KafkaSettings, capabilities: BrokerCapabilities): KafkaSettings {
  if (capabilities.controller) return settings;
  return { ...settings, idempotentProducer: false, createTopics: false };
}

/**
 * Probes the cluster once at start-up (bounded by `timeoutMs`) and returns the settings to run with.
 * A broker that does not answer yet is assumed to be a real cluster: the configured settings stand.
 */
export async function settingsForCluster(
  kafka: Kafka,
  settings: KafkaSettings,
  logger: Logger,
  timeoutMs = 5_000,
): Promise<KafkaSettings> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  let timer: NodeJS.Timeout | undefined;
  try {
    const capabilities = await Promise.race([
      admin.connect().then(() => probeCapabilities(admin)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    if (!capabilities.controller && (settings.idempotentProducer || settings.createTopics)) {
      logger.warn(
        { reason: capabilities.reason },
        'broker without a controller (librdkafka mock?): idempotent producer and topic creation off',
      );
    }
    return effectiveSettings(settings, capabilities);
  } catch (error) {
    logger.warn({ err: error }, 'could not probe the broker; running with the configured Kafka settings');
    return settings;
  } finally {
    clearTimeout(timer);
    admin.disconnect().catch(() => undefined);
  }
}
