import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from 'pg';

/** One Prometheus registry per process, with default Node metrics and a `service` label. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function httpMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

/** Pool gauges read at scrape time. */
export function registerPoolMetrics(
  registry: Registry,
  name: string,
  pool: Pick<Pool, 'totalCount' | 'idleCount' | 'waitingCount'>,
): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      this.set({ pool: name, state: 'total' }, pool.totalCount);
      this.set({ pool: name, state: 'idle' }, pool.idleCount);
      this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
    },
  });
}

/**
 * Sync jobs that finished with the zero-row warning (every data response parsed to no rows), counted
 * by the process that finished them (a loader, or a fetcher completing the fetch last). Idempotent
 * per registry.
 */
export function zeroRowJobsCounter(registry: Registry): Counter<'source'> {
  return registeredCounter(
    registry,
    'staysync_jobs_zero_rows_total',
    'Sync jobs that finished with the zero-row warning: every data response parsed to no rows (changed response shape?)',
    ['source'],
  );
}

/** The counter `name` on `registry`: the one registered before, else a new one (idempotent per registry). */
export function registeredCounter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  return (
    (registry.getSingleMetric(name) as Counter<L> | undefined) ??
    new Counter({ name, help, labelNames, registers: [registry] })
  );
}
