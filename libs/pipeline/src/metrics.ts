import { Counter, type Registry } from 'prom-client';

export interface PipelineMetrics {
  unknownMetrics: Counter<'source' | 'table'>;
}

const UNKNOWN_METRICS = 'loader_unknown_metrics_total';

/** The pipeline's Prometheus metrics on `registry` (idempotent: a second call reuses them). */
export function createPipelineMetrics(registry: Registry): PipelineMetrics {
  const existing = registry.getSingleMetric(UNKNOWN_METRICS) as Counter<'source' | 'table'> | undefined;
  const unknownMetrics =
    existing ??
    new Counter({
      name: UNKNOWN_METRICS,
      help: 'Metric names in upstream responses that have no column (kept in extra), per response',
      labelNames: ['source', 'table'] as const,
      registers: [registry],
    });
  return { unknownMetrics };
}
