import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaSettings } from './settings';

export type KafkaClientOverrides = Pick<KafkaConfig, 'retry' | 'connectionTimeout' | 'requestTimeout'>;

/**
 * The kafkajs client for these settings, logging through our pino logger. `overrides` tune the
 * connection, e.g. `{ retry: { retries: 0 } }` for a client used only by readiness probes.
 */
export function createKafka(
  settings: KafkaSettings,
  logger: Logger,
  overrides: KafkaClientOverrides = {},
): Kafka {
  return new Kafka({
    ...overrides,
    clientId: settings.clientId,
    brokers: settings.brokers,
    ssl: settings.ssl,
    // each member of our union is one member of kafkajs's; TypeScript just cannot pair them up
    sasl: settings.sasl as SASLOptions | undefined,
    logLevel: kafkajsLevelFor(logger),
    logCreator: pinoLogCreator(logger.child({ component: 'kafkajs' })),
  });
}

/**
 * Routes kafkajs logs into pino. kafkajs logs at INFO on every connect, join and rebalance,
 * which is debug material for us; its WARN and ERROR stay as they are.
 */
export function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { namespace, ...extra };
      switch (level) {
        case logLevel.ERROR:
          logger.error(fields, message);
          break;
        case logLevel.WARN:
          logger.warn(fields, message);
          break;
        case logLevel.INFO:
          logger.debug(fields, message);
          break;
        default:
          logger.trace(fields, message);
      }
    };
}

/** The most detailed kafkajs level worth producing for this logger (pino drops the rest anyway). */
export function kafkajsLevelFor(logger: Pick<Logger, 'isLevelEnabled'>): logLevel {
  if (logger.isLevelEnabled('trace')) return logLevel.DEBUG;
  if (logger.isLevelEnabled('debug')) return logLevel.INFO;
  return logLevel.WARN;
}
