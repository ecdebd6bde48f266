import { registeredCounter, zeroRowJobsCounter } from '@staysync/observability';
import { Histogram, type Counter, type Registry } from 'prom-client';

export interface PipelineMetrics {
  unknownMetrics: Counter<'source' | 'table'>;
  /** envelopes of hard-deleted accounts that a write refused */
  refusedEnvelopes: Counter<'source'>;
  /** one observation per loader transaction: how many responses it wrote */
  transactionResponses: Histogram;
  /** one observation per loader transaction: BEGIN → COMMIT and job completion */
  transactionSeconds: Histogram;
  /** jobs a write finished with the zero-row warning */
  zeroRowJobs: Counter<'source'>;
  /** raw-store batches whose producer texts PostgreSQL refused, stored again from the parsed bodies */
  rawTextFallbacks: Counter<'source'>;
  /** dead letters of envelopes whose job does not exist (not recorded in ops.dead_lettered_responses) */
  deadLettersWithoutJob: Counter<'source' | 'stage'>;
}

/** The pipeline's Prometheus metrics on `registry` (idempotent: a second call reuses them). */
export function createPipelineMetrics(registry: Registry): PipelineMetrics {
  return {
    unknownMetrics: registeredCounter(
      registry,
      'loader_unknown_metrics_total',
      'Metric names in upstream responses that have no column (kept in extra), per response',
      ['source', 'table'],
    ),
    refusedEnvelopes: registeredCounter(
      registry,
      'loader_refused_envelopes_total',
      'Envelopes of hard-deleted accounts refused by a loader or replay write (nothing of them is stored)',
      ['source'],
    ),
    transactionResponses:
      existing(registry, 'loader_transaction_responses') ??
      new Histogram({
        name: 'loader_transaction_responses',
        help: 'Responses written per loader transaction (batches arriving during a write share the next one)',
        buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
        registers: [registry],
      }),
    transactionSeconds:
      existing(registry, 'loader_transaction_seconds') ??
      new Histogram({
        name: 'loader_transaction_seconds',
        help: 'Duration of a loader transaction, raw store and upserts to commit',
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    zeroRowJobs: zeroRowJobsCounter(registry),
    rawTextFallbacks: registeredCounter(
      registry,
      'loader_raw_text_fallbacks_total',
      'Raw-store batches whose producer texts PostgreSQL refused (rolled back and stored from the parsed bodies)',
      ['source'],
    ),
    deadLettersWithoutJob: registeredCounter(
      registry,
      'loader_dead_letters_without_job_total',
      'Dead-lettered envelopes naming a job that does not exist: sent to the DLQ topic, not recorded against a job',
      ['source', 'stage'],
    ),
  };
}

function existing<T>(registry: Registry, name: string): T | undefined {
  return registry.getSingleMetric(name) as T | undefined;
}
