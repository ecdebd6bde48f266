import { z } from 'zod';
import { bool, int, parseEnv, type Env } from './env';

const days = (fallback: number) => int(fallback, { min: 0, max: 36_500 });

/** How long each data set is kept, in days; 0 keeps it forever. */
export const retentionShape = {
  RETENTION_ENABLED: bool(true),
  RETENTION_CRON: z
    .string()
    .regex(/^(\S+\s+){4,5}\S+$/, 'expected a cron expression with 5 or 6 fields')
    .default('30 3 * * *'),
  RETENTION_BATCH_ROWS: int(5000, { min: 1, max: 1_000_000 }),
  RETENTION_RAW_DAYS: days(400),
  RETENTION_METRICS_DAYS: days(0),
  RETENTION_HOSTAWAY_DAYS: days(0),
  RETENTION_JOBS_DAYS: days(90),
  RETENTION_OUTBOX_DAYS: days(7),
  RETENTION_DEAD_LETTERS_DAYS: days(90),
};

export interface RetentionConfig {
  enabled: boolean;
  cron: string;
  /** rows per DELETE on plain PostgreSQL */
  batchRows: number;
  /** days per data set; 0 = keep */
  days: { raw: number; metrics: number; hostaway: number; jobs: number; outbox: number; deadLetters: number };
}

export function retentionFrom(e: z.infer<z.ZodObject<typeof retentionShape>>): RetentionConfig {
  return {
    enabled: e.RETENTION_ENABLED,
    cron: e.RETENTION_CRON,
    batchRows: e.RETENTION_BATCH_ROWS,
    days: {
      raw: e.RETENTION_RAW_DAYS,
      metrics: e.RETENTION_METRICS_DAYS,
      hostaway: e.RETENTION_HOSTAWAY_DAYS,
      jobs: e.RETENTION_JOBS_DAYS,
      outbox: e.RETENTION_OUTBOX_DAYS,
      deadLetters: e.RETENTION_DEAD_LETTERS_DAYS,
    },
  };
}

/** The retention settings alone (the CLI's dry run needs no other admin variable). */
export function loadRetentionConfig(env: Env = process.env): RetentionConfig {
  return retentionFrom(parseEnv(retentionShape, env));
}
