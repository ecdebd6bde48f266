import { randomBytes } from 'node:crypto';
import { parseEnv } from '@staysync/core';
import {
  airbnbFetchShape,
  ALL_AIRBNB_METRICS,
  parseMetricList,
  planRequests,
  planWindows,
} from '@staysync/source-airbnb';
import { demoCommand } from '../../apps/cli/src/commands/demo';
import { Client } from 'pg';
import { dropDatabase, isMockBroker, withDatabase } from '../harness';

/** The metrics the demo's fetcher polls: it sets no AIRBNB_*_METRICS, so the config defaults. */
function demoMetrics() {
  const { AIRBNB_CHART_METRICS, AIRBNB_LIST_OF_METRICS } = airbnbFetchShape;
  const env = parseEnv({ AIRBNB_CHART_METRICS, AIRBNB_LIST_OF_METRICS }, {});
  return {
    chart: parseMetricList(env.AIRBNB_CHART_METRICS.join(',')),
    listOfMetrics: parseMetricList(env.AIRBNB_LIST_OF_METRICS.join(',')),
  };
}

/**
 * The whole pipeline in one process: admin API → outbox → sync.commands → fetcher → simulator →
 * raw.airbnb → loader → PostgreSQL, through `npm run demo -- --once` (here called directly), in a
 * database of this run's own (the demo recreates the one it is given).
 */
describe('E2E > demo backfill (admin + fetcher + loader + simulator)', () => {
  const database = `staysync_t_demo_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await dropDatabase(process.env.DATABASE_URL!, database);
  });

  it('backfills every account and loads exactly the rows the plan implies', async () => {
    // the counts below plan every chart metric the tables have columns for: the demo must poll all of them
    expect(demoMetrics()).toEqual(ALL_AIRBNB_METRICS);

    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const previous = { ...process.env };
    Object.assign(process.env, {
      KAFKA_TOPIC_PREFIX: `e2e${Date.now()}.`,
      KAFKA_IDEMPOTENT_PRODUCER: isMockBroker() ? 'false' : 'true',
      KAFKA_CREATE_TOPICS: isMockBroker() ? 'false' : 'true',
    });
    try {
      const summary = await demoCommand({
        once: true,
        accounts: '2',
        listings: '2',
        lookaheadWeeks: '2',
        port: '0',
        database,
      });
      const lastLine = String(stdout.mock.calls.at(-1)?.[0]).trim();
      expect(JSON.parse(lastLine)).toEqual(summary);

      // the day the jobs were claimed on, not today again: a run may cross midnight UTC
      const scrapeDay = await airbnbScrapeDay(withDatabase(process.env.DATABASE_URL!, database));
      const listings = [
        { id: 'a', internalName: 'a' },
        { id: 'b', internalName: 'b' },
      ];
      const perAccount =
        1 +
        planRequests({ listings, scrapeDay, firstRun: true, metrics: ALL_AIRBNB_METRICS, lookaheadWeeks: 2 })
          .length;
      const windows = planWindows({ scrapeDay, firstRun: true, lookaheadWeeks: 2 });
      const days = windows.chart.reduce(
        (sum, w) => sum + (Date.parse(w.end) - Date.parse(w.start)) / 86_400_000 + 1,
        0,
      );

      expect(summary).toMatchObject({
        accounts: 2,
        listings: 4,
        // per account: its GraphQL calls, the credential check's two preflight pages when it is
        // created (GET /hosting/insights and the /performance page it redirects to) and its job's two
        requests: 2 * perAccount + 2 * 4,
        preflight_requests: 2 * 4,
        rows: {
          chart_query: 4 * days,
          list_of_metrics: 4 * windows.listOfMetrics.length,
          chart_summary: 4 * windows.chart.length,
          listings: 4,
        },
        hostaway: {
          accounts: 1,
          // token + 1 listings page + 1 reservations page + 1 conversations page + one messages page per conversation
          requests: 1 + 1 + 1 + 1 + 20,
          rate_limited: 0,
          rows: { listings: 4, reservations: 20, messages: 60 },
        },
      });
      expect(summary.hostaway.peak_concurrency).toBeGreaterThanOrEqual(1);
      expect(summary.hostaway.peak_concurrency).toBeLessThanOrEqual(4);
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.env = previous;
    }
  }, 120_000);
});

async function airbnbScrapeDay(url: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ day: string }>(
      `SELECT DISTINCT scrape_date::text AS day FROM ops.sync_jobs WHERE source = 'airbnb'`,
    );
    expect(rows).toHaveLength(1);
    return rows[0].day;
  } finally {
    await client.end();
  }
}
