import { ALL_AIRBNB_METRICS, planRequests, planWindows } from '@staysync/source-airbnb';
import { todayUtc } from '@staysync/core';
import { kafkaConnectUnavailable } from '@staysync/kafka';
import { benchCommand } from '../../apps/cli/src/bench/bench.command';
import { createTestDatabase, isMockBroker, testBrokers, type TestDatabase } from '../harness';

const REQUIRED = [
  'loader.responses_per_s',
  'loader.rows_per_s',
  'copy_ceiling.rows_per_s',
  'loader_to_copy_ratio',
  'peers.per_listing_insert.rows_per_s',
  'loader_to_per_listing_ratio',
  'peers.per_listing_from_topic.rows_per_s',
  'loader_to_per_listing_from_topic_ratio',
  'loader.cpu_ms.loader_process',
  'fetch.wall_ms',
  'fetch.floor_ms',
  'fetch.overhead_ratio',
  'lag_ms.p50',
  'lag_ms.p99',
  'live_many_accounts.p99',
  'loaders_2_to_1_ratio',
  'machine.cpus',
  'counts.requests',
  'counts.envelopes',
  'sizes.accounts',
  'broker.raw_topic_partitions',
];

/** peer 1 runs wherever Java (and Maven or the jar cache) and a real Apache Kafka are there */
const CONNECT_SKIP = isMockBroker()
  ? "the broker is librdkafka's mock cluster (Kafka Connect needs Apache Kafka)"
  : kafkaConnectUnavailable();
const CONNECT_REQUIRED = [
  'peers.kafka_connect_jdbc.rows_per_s',
  'peers.kafka_connect_jdbc.cpu_ms.jvm',
  'loader_to_kafka_connect_ratio',
];

const at = (value: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);

/** `npm run bench -- --json` with tiny sizes, on this file's database and the harness broker. */
describe('bench command', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('prints one JSON object with every figure finite and positive, and loads exactly the planned rows', async () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let summary;
    let lastLine = '';
    try {
      summary = await benchCommand({
        json: true,
        accounts: '2',
        listings: '1',
        lookaheadWeeks: '1',
        pacingMs: '5',
        manyAccounts: '3',
        manyAccountsPacingMs: '5',
        infrastructure: {
          databaseUrl: db.url,
          brokers: testBrokers().join(','),
          mock: isMockBroker(),
          broker: process.env.STAYSYNC_KAFKA_KIND,
        },
      });
      lastLine = String(stdout.mock.calls.at(-1)?.[0]).trim();
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const json = JSON.parse(lastLine);
    expect(json).toEqual(summary);
    if (CONNECT_SKIP)
      process.stderr.write(`\n[bench test] Kafka Connect peer not checked: ${CONNECT_SKIP}\n`);
    for (const path of [...REQUIRED, ...(CONNECT_SKIP ? [] : CONNECT_REQUIRED)]) {
      const value = at(json, path);
      expect({ path, finite: Number.isFinite(value), positive: (value as number) > 0 }).toEqual({
        path,
        finite: true,
        positive: true,
      });
    }
    expect(json.storage).toMatch(/^(postgresql|timescaledb \d+\.\d+.*)$/);
    expect(json.copy_ceiling.rows).toBe(json.loader.rows);
    // measured on the batched topic, and once more on the loader's default (one message per row)
    expect(json.loader.published_topics).toEqual(['airbnb.metrics.v2']);
    expect(json.loader.with_default_topics.published_topics).toEqual(['airbnb.metrics']);
    expect(json.loader.with_default_topics.runs_duration_ms).toHaveLength(3);
    const metricRows = Object.values(json.counts.rows as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(json.peers.per_listing_insert.rows).toBe(metricRows);
    // the seed as a service: every response from the raw topic, and the loader's rows exactly
    expect(json.peers.per_listing_from_topic).toMatchObject({
      responses: json.counts.envelopes,
      rows: metricRows,
      same_rows_as_loader: true,
    });
    if (CONNECT_SKIP) {
      expect(json.peers.kafka_connect_jdbc).toEqual({ skipped: CONNECT_SKIP });
      expect(json.loader_to_kafka_connect_ratio).toBeNull();
    } else {
      // its tables equalled the loader's (counts and a digest of every row) when the timing stopped
      expect(json.peers.kafka_connect_jdbc.rows).toBe(metricRows);
      expect(json.peers.kafka_connect_jdbc.records).toBe(json.counts.parsed_rows.total);
      expect(json.peers.kafka_connect_jdbc.runs_duration_ms).toHaveLength(3);
      expect(json.peers.kafka_connect_jdbc.duration_ms).toBe(
        Math.min(...json.peers.kafka_connect_jdbc.runs_duration_ms),
      );
    }
    expect(json.broker.kind).toBe(isMockBroker() ? 'mock' : 'real');
    expect(json.broker.name).toBe(process.env.STAYSYNC_KAFKA_KIND ?? 'external');

    // the fetcher's default metrics are both chart metrics and both list-of-metrics cards, each account
    // planned on the day its job was claimed (a run may cross midnight UTC; Saturdays plan differently)
    const scrapeDays = Object.values(json.counts.scrape_days as Record<string, string>);
    expect(scrapeDays).toHaveLength(2);
    for (const day of scrapeDays)
      expect(Math.abs(Date.parse(day) - Date.parse(todayUtc()))).toBeLessThanOrEqual(86_400_000);
    const listings = [{ id: 'x', internalName: 'x' }];
    const plans = scrapeDays.map((scrapeDay) => {
      const windows = planWindows({ scrapeDay, firstRun: true, lookaheadWeeks: 1 });
      return {
        requests:
          1 +
          planRequests({
            listings,
            scrapeDay,
            firstRun: true,
            metrics: ALL_AIRBNB_METRICS,
            lookaheadWeeks: 1,
          }).length,
        chartDays: windows.chart.reduce(
          (sum, w) => sum + (Date.parse(w.end) - Date.parse(w.start)) / 86_400_000 + 1,
          0,
        ),
        lomWindows: windows.listOfMetrics.length,
        chartWindows: windows.chart.length,
      };
    });
    const total = (key: keyof (typeof plans)[number]) => plans.reduce((sum, p) => sum + p[key], 0);
    // each job's session preflight: GET /hosting/insights and the /performance page it redirects to
    expect(json.fetch.preflight_requests).toBe(2 * 2);
    expect(json.counts).toMatchObject({
      requests: total('requests') + 2 * 2,
      envelopes: total('requests'),
      rows: {
        listings: 2,
        chart_query: total('chartDays'),
        list_of_metrics: total('lomWindows'),
        chart_summary: total('chartWindows'),
      },
      rows_match_plan: true,
    });
    expect(json.loader.responses).toBe(total('requests'));
    // the reported loader run is the fastest of the three after the warm-up
    expect(json.loader.runs_duration_ms).toHaveLength(3);
    expect(json.loader.duration_ms).toBe(Math.min(...json.loader.runs_duration_ms));
    expect(json.loaders_2.duration_ms).toBe(Math.min(...json.loaders_2.runs_duration_ms));
    expect(json.loaders_2.responses).toBe(total('requests'));
    // the loader as 1 and 2 OS processes: each stored every response and the loader's rows
    expect(json.loader_processes.runs.map((r: { processes: number }) => r.processes)).toEqual([1, 2]);
    for (const run of json.loader_processes.runs) {
      expect(run).toMatchObject({ responses: total('requests'), rows: json.loader.rows });
      expect(run.runs_duration_ms).toHaveLength(3);
      expect(run.duration_ms).toBe(Math.min(...run.runs_duration_ms));
      expect(run.cpu_ms.loader_processes).toBeGreaterThan(0);
    }
    expect(json.loader_processes.scale_ratio).toBeCloseTo(
      json.loader_processes.runs[1].rows_per_s / json.loader_processes.runs[0].rows_per_s,
      2,
    );
    // the live phases claim jobs of their own, later: every response they planned is a sample, and
    // when no phase crossed midnight UTC, they planned what the fetch phase did
    expect(json.lag_ms.planned).toBeGreaterThan(0);
    expect(json.lag_ms.samples).toBe(json.lag_ms.planned);
    const sameDay = scrapeDays.every((day) => day === todayUtc());
    if (sameDay) expect(json.lag_ms.planned).toBe(total('requests'));
    // the many-accounts live phase: its own accounts of one listing each, every response's lag measured
    expect(json.live_many_accounts).toMatchObject({
      accounts: 3,
      pacing_ms: 5,
      fetcher_concurrency: 3,
      samples: json.live_many_accounts.planned,
    });
    expect(json.live_many_accounts.planned).toBeGreaterThan(0);
    if (sameDay) expect(json.live_many_accounts.planned).toBe(3 * plans[0].requests);
    const many = json.live_many_accounts;
    expect(0 < many.p50 && many.p50 <= many.p99 && many.p99 <= many.max).toBe(true);
  }, 300_000);
});
