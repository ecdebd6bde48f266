import { randomBytes } from 'node:crypto';
import { publishBatchSize } from '@staysync/source-airbnb';
import { chaosCommand, type ChaosReport } from '../../apps/cli/src/chaos/chaos.command';
import { COMPARED_TABLES } from '../../apps/cli/src/chaos/figures';
import { testBrokers } from '../harness';

const PACING_MS = 25;
const POISON = 1000;

/**
 * `npm run cli -- chaos` on the harness broker and database server, small: one account with two
 * listings, services as real child processes. Three scenarios against one clean run: the data must be
 * the clean run's, every job done, no service dead, and the poison dead-lettered in full at its stage.
 */
describe('chaos command (fetcher kill -9, connection termination, poison)', () => {
  let report: ChaosReport;
  let lastLine = '';

  beforeAll(async () => {
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      report = await chaosCommand({
        scenario: ['fetcher-kill', 'db-terminate', 'poison'],
        accounts: '1',
        listings: '2',
        lookaheadWeeks: '1',
        pacingMs: String(PACING_MS),
        poison: String(POISON),
        leaseMs: '3000',
        timeoutS: '180',
        infrastructure: {
          serverUrl: process.env.DATABASE_URL!,
          brokers: testBrokers().join(','),
          databasePrefix: `chaos_t_${randomBytes(4).toString('hex')}`,
        },
      });
      lastLine = String(stdout.mock.calls.at(-1)?.[0]).trim();
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  }, 400_000);

  it('prints the report as the last stdout line', () => {
    expect(JSON.parse(lastLine)).toEqual(report);
    expect(report.scenarios.map((s) => s.scenario)).toEqual(['fetcher-kill', 'db-terminate', 'poison']);
  });

  it('stores exactly the planned rows in the clean run, with the plan’s upstream calls', () => {
    const { clean, expected } = report;
    expect(expected.requests).toBeGreaterThan(100);
    for (const table of COMPARED_TABLES) {
      expect({ table: table.name, stored: clean.tables[table.name].stored }).toEqual({
        table: table.name,
        stored:
          table.name === 'raw_responses'
            ? expected.requests
            : expected.rows[table.name as keyof typeof expected.rows],
      });
    }
    expect(clean.upstream).toMatchObject({
      planned: expected.requests,
      calls: expected.requests,
      duplicates: 0,
    });
    expect(clean.jobs).toEqual({ total: 1, succeeded: 1, failed: 0, stuck: 0 });
    expect(clean.ok).toBe(true);
  });

  it.each(['fetcher-kill', 'db-terminate', 'poison'])(
    '%s: same data as the clean run, 0 stuck, 0 dead, duplicates within the bound',
    (name) => {
      const run = report.scenarios.find((s) => s.scenario === name)!;
      for (const table of COMPARED_TABLES) {
        const figures = run.tables[table.name];
        expect({ table: table.name, stored: figures.stored, hash: figures.hash }).toEqual({
          table: table.name,
          stored: report.clean.tables[table.name].stored,
          hash: report.clean.tables[table.name].hash,
        });
      }
      expect(run.identical).toBe(true);
      expect(run.jobs).toEqual({ total: 1, succeeded: 1, failed: 0, stuck: 0 });
      expect(run.died).toEqual([]);
      // one account in work: what a kill can lose is the one Kafka send the fetcher holds
      expect(run.upstream.duplicate_bound).toBe(publishBatchSize(PACING_MS));
      expect(run.upstream.duplicates).toBeGreaterThanOrEqual(0);
      expect(run.upstream.duplicates).toBeLessThanOrEqual(run.upstream.duplicate_bound);
      expect(run.recovery_s).toEqual(expect.any(Number));
      expect(run.sync_s).toEqual(expect.any(Number));
      expect(run.delay_s).toBeCloseTo(run.sync_s! - report.clean.sync_s!, 5);
      expect(run.ok).toBe(true);
    },
  );

  it('fetcher-kill: the fetcher was killed (137) and a second one finished the job', () => {
    const run = report.scenarios.find((s) => s.scenario === 'fetcher-kill')!;
    expect(run.signalled).toEqual([{ service: 'fetcher-kill-fetcher-1', signal: 'SIGKILL', status: 137 }]);
  });

  it('db-terminate: no upstream call repeated', () => {
    const run = report.scenarios.find((s) => s.scenario === 'db-terminate')!;
    expect(run.upstream.duplicates).toBe(0);
    expect(run.signalled).toEqual([]);
  });

  it('poison: every message dead-lettered at its own stage, none elsewhere', () => {
    const run = report.scenarios.find((s) => s.scenario === 'poison')!;
    expect(run.poison).toMatchObject({
      produced: { decode: 334, validate: 333, parse: 333 },
      dead_lettered: { 'decode:decode': 334, 'validate:validate': 333, 'parse:parse': 333 },
      percent: { decode: 100, validate: 100, parse: 100 },
      // unparsed in the raw store, for a replay once the parser knows the shape
      kept_in_raw_store: 333,
    });
    expect(Object.keys(run.poison!.dead_lettered).sort()).toEqual([
      'decode:decode',
      'parse:parse',
      'validate:validate',
    ]);
  });
});
