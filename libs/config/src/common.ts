import { z } from 'zod';
import { parseCredentialKeys, type CredentialKey } from '@staysync/crypto';
import { bool, ConfigError, int, list, parseEnv, url, type Env } from './env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const credentialKeys = z
  .string({ message: 'expected <id>:<base64 32-byte key>[,…]' })
  .transform((spec, ctx): CredentialKey[] => {
    try {
      const keys = parseCredentialKeys(spec);
      const bad = keys.find((k) => k.key.length !== 32);
      if (keys.length === 0 || bad) throw new Error(bad ? `key "${bad.id}" is not 32 bytes` : 'no key given');
      return keys;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

/** Variables every service reads. */
export const commonShape = {
  DATABASE_URL: url(['postgres', 'postgresql']),
  DATABASE_POOL_MAX: int(10, { min: 1, max: 200 }),
  KAFKA_BROKERS: list(),
  KAFKA_CLIENT_ID: z.string().optional(),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, . _ - only')
    .default(''),
  KAFKA_IDEMPOTENT_PRODUCER: bool(true),
  KAFKA_CREATE_TOPICS: bool(true),
  KAFKA_SSL: bool(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  SCHEMA_REGISTRY_URL: url(['http', 'https']).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  SHUTDOWN_TIMEOUT_MS: int(25_000, { min: 1000 }),
};

export type CommonEnv = ReturnType<typeof parseCommon>;
const parseCommon = (env: Env) => parseEnv(commonShape, env);

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  idempotentProducer: boolean;
  createTopics: boolean;
  schemaRegistryUrl?: string;
  ssl: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

export interface CommonConfig {
  service: string;
  database: { url: string; poolMax: number };
  kafka: KafkaConfig;
  logLevel: (typeof LOG_LEVELS)[number];
  shutdownTimeoutMs: number;
}

export function toCommonConfig(service: string, e: z.infer<z.ZodObject<typeof commonShape>>): CommonConfig {
  return {
    service,
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX },
    kafka: {
      brokers: e.KAFKA_BROKERS,
      clientId: e.KAFKA_CLIENT_ID ?? `staysync-${service}`,
      topicPrefix: e.KAFKA_TOPIC_PREFIX,
      idempotentProducer: e.KAFKA_IDEMPOTENT_PRODUCER,
      createTopics: e.KAFKA_CREATE_TOPICS,
      schemaRegistryUrl: e.SCHEMA_REGISTRY_URL,
      ssl: e.KAFKA_SSL,
      sasl: saslConfig(e),
    },
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
  };
}

const SASL_VARIABLES = ['KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const;

/** SASL takes all three variables or none: a partial set fails at start-up instead of connecting without SASL. */
function saslConfig(e: z.infer<z.ZodObject<typeof commonShape>>): KafkaConfig['sasl'] {
  const given = SASL_VARIABLES.filter((name) => e[name] !== undefined);
  if (given.length === 0) return undefined;
  const missing = SASL_VARIABLES.filter((name) => e[name] === undefined);
  if (missing.length > 0)
    throw new ConfigError(
      missing.map(
        (name) =>
          `${name} is required when ${given.join(' and ')} ${given.length > 1 ? 'are' : 'is'} set (SASL takes all three or none)`,
      ),
    );
  return {
    mechanism: e.KAFKA_SASL_MECHANISM!,
    username: e.KAFKA_SASL_USERNAME!,
    password: e.KAFKA_SASL_PASSWORD!,
  };
}

export const credentialsShape = {
  CREDENTIALS_KEYS: credentialKeys,
};

export { parseCommon };
