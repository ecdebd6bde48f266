import { z } from 'zod';
import { commonShape, parseEnv, toCommonConfig } from '@staysync/config';
import { createKafka, provisionTopics } from '@staysync/kafka';
import { createLogger } from '@staysync/observability';

/** `npm run topics`: creates every topic of the registry with its partitions and configs. */
export async function topicsCommand(): Promise<void> {
  const { DATABASE_URL: _ignored, ...shape } = commonShape;
  const env = parseEnv({ ...shape, DATABASE_URL: z.string().optional() }, process.env);
  const config = toCommonConfig('cli', { ...env, DATABASE_URL: env.DATABASE_URL ?? 'postgres://unused' });
  const logger = createLogger({ service: 'cli', level: config.logLevel });
  const kafka = createKafka(config.kafka, logger);
  const report = await provisionTopics({ kafka, settings: config.kafka, logger });
  console.log(JSON.stringify(report));
}
