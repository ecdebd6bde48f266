import { readFileSync } from 'node:fs';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { parse } from 'yaml';
import { createFetcherApp } from '../../apps/fetcher/src/bootstrap';
import { createLoaderApp } from '../../apps/loader/src/bootstrap';
import { createTestDatabase, createTestTopics, randomTopicPrefix, type TestDatabase } from '../harness';
import { adminTestConfig, startAdmin } from '../admin/admin-app';
import { fetcherTestConfig } from '../fetcher/fetcher-app';
import { loaderTestConfig } from '../loader/loader-app';

/** Metric names a PromQL expression reads (histogram series mapped to their metric). */
function metricsIn(expr: string): string[] {
  const names = expr.match(/\b(?:staysync|fetcher|loader|http|db)_[a-z0-9_]+/g) ?? [];
  return [...new Set(names.map((n) => n.replace(/_(bucket|sum|count)$/, '')))];
}

const dashboard = JSON.parse(readFileSync('deploy/grafana/dashboards/staysync.json', 'utf8')) as {
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
};
const rules = parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as {
  groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
};
const named = [
  ...dashboard.panels.flatMap((p) => p.targets.map((t) => [`panel "${p.title}"`, t.expr])),
  ...rules.groups.flatMap((g) => g.rules.map((r) => [`alert ${r.alert}`, r.expr])),
];

/**
 * The Grafana dashboard and the Prometheus alert rules in deploy/ only name metrics that the three
 * services really export: each service is started and its /metrics read.
 */
describe('read side > Grafana dashboard and alert rules name real metrics', () => {
  let db: TestDatabase;
  const apps: NestExpressApplication[] = [];
  const exported = new Set<string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    const prefix = randomTopicPrefix();
    await createTestTopics(prefix);
    const { app: admin } = await startAdmin(
      adminTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix }),
    );
    const fetcher = await createFetcherApp(
      fetcherTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'warn' }),
    );
    await fetcher.init();
    const loader = await createLoaderApp(
      loaderTestConfig({ DATABASE_URL: db.url, KAFKA_TOPIC_PREFIX: prefix }),
    );
    await loader.init();
    apps.push(admin, fetcher, loader);
    for (const app of apps) {
      const { text } = await request(app.getHttpServer()).get('/metrics').expect(200);
      for (const match of text.matchAll(/^# TYPE (\S+) /gm)) exported.add(match[1]);
    }
  }, 120_000);
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.drop();
  });

  it('reads the metrics out of PromQL', () => {
    expect(
      metricsIn(
        'histogram_quantile(0.95, sum by (le, source) (rate(fetcher_request_duration_seconds_bucket[5m])))',
      ),
    ).toEqual(['fetcher_request_duration_seconds']);
    expect(metricsIn('max(staysync_outbox_oldest_pending_seconds) > 300')).toEqual([
      'staysync_outbox_oldest_pending_seconds',
    ]);
  });

  it.each(named)('%s', (_where, expr) => {
    const names = metricsIn(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !exported.has(n))).toEqual([]);
  });
});
