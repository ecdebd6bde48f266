import type { FetchObserver } from '@staysync/core';
import { zeroRowJobsCounter } from '@staysync/observability';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface FetcherMetrics {
  observerFor(source: string): FetchObserver;
  jobsActive: Gauge<'source'>;
  /** outcome: completed, failed, aborted, crashed, or the failure code (needs_reauth, blocked, stale_persisted_query) */
  jobsFinished: Counter<'source' | 'outcome'>;
  /** jobs this fetcher finished with the zero-row warning (when the loader was done before the fetch) */
  zeroRowJobs: Counter<'source'>;
}

export function createFetcherMetrics(registry: Registry): FetcherMetrics {
  const requests = new Counter({
    name: 'fetcher_requests_total',
    help: 'Upstream requests (each try), by outcome: ok or the error kind',
    labelNames: ['source', 'operation', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'fetcher_request_duration_seconds',
    help: 'Upstream request duration (each try)',
    labelNames: ['source', 'operation'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'fetcher_retries_total',
    help: 'Upstream requests retried after a transient error',
    labelNames: ['source', 'operation'] as const,
    registers: [registry],
  });
  const jobsActive = new Gauge({
    name: 'fetcher_jobs_active',
    help: 'Sync jobs this instance is fetching',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const jobsFinished = new Counter({
    name: 'fetcher_jobs_finished_total',
    help: 'Fetch runs by outcome: completed, failed, aborted, crashed, or a failure code (needs_reauth, blocked, stale_persisted_query)',
    labelNames: ['source', 'outcome'] as const,
    registers: [registry],
  });
  return {
    jobsActive,
    jobsFinished,
    zeroRowJobs: zeroRowJobsCounter(registry),
    observerFor: (source) => ({
      request(operation, status, seconds) {
        requests.inc({ source, operation, status });
        duration.observe({ source, operation }, seconds);
      },
      retry(operation) {
        retries.inc({ source, operation });
      },
    }),
  };
}
