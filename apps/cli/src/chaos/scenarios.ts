import { spawnSync } from 'node:child_process';
import type { ServiceProcess } from './services';
import { sleep } from './services';

/** What a scenario can do to a run in progress. */
export interface RunControl {
  log(line: string): void;
  fetchers: ServiceProcess[];
  loaders: ServiceProcess[];
  /** resolves once the jobs have fetched this share of the planned requests */
  untilFetched(share: number): Promise<void>;
  /** a signal sent on purpose (recorded with the exit status it produced) */
  signal(service: ServiceProcess, signal: NodeJS.Signals): Promise<void>;
  /** a new process of that kind; resolves once it runs (its readiness comes later), with the moment it was spawned */
  startService(kind: 'fetcher' | 'loader'): Promise<number>;
  /** pg_terminate_backend on every connection to the run's database; how many were ended */
  terminateConnections(): Promise<number>;
  /** the broker JVM (SIGSTOP / SIGCONT) */
  brokerPid?: number;
  /** the run database's server as `host:port` */
  databaseServer: { host: string; port: number };
  producePoison(): Promise<void>;
}

export interface ScenarioOptions {
  brokerPid?: number;
  restartDatabase: boolean;
  brokerPauseMs: number;
}

export interface Scenario {
  name: string;
  fault: string;
  loaders?: number;
  /** why the scenario cannot run here (it is reported as skipped) */
  skip?(options: ScenarioOptions): string | undefined;
  /**
   * Applies the fault mid-sync; resolves with the moment (ms) the fault ended: the replacement process
   * spawned (its readiness is part of the recovery), the broker resumed, the last connection cut.
   */
  inject(run: RunControl, options: ScenarioOptions): Promise<number>;
  poison?: boolean;
}

/** Faults start once this share of the planned requests is fetched: well inside the sync. */
const MID_SYNC = 0.3;

export const SCENARIOS: Scenario[] = [
  {
    name: 'fetcher-kill',
    fault:
      'kill -9 of the fetcher mid-sync, a new fetcher started at once (it resumes the job once its lease lapses)',
    async inject(run) {
      await run.untilFetched(MID_SYNC);
      await run.signal(run.fetchers[0], 'SIGKILL');
      return run.startService('fetcher');
    },
  },
  {
    name: 'loader-kill',
    fault: 'two loaders; kill -9 of one mid-sync, then it is started again',
    loaders: 2,
    async inject(run) {
      await run.untilFetched(MID_SYNC);
      await run.signal(run.loaders[0], 'SIGKILL');
      return run.startService('loader');
    },
  },
  {
    name: 'broker-pause',
    fault: 'the broker JVM paused (SIGSTOP) mid-sync, resumed (SIGCONT) after the pause',
    skip: (o) =>
      o.brokerPid === undefined
        ? 'the broker was not started by this command (KAFKA_BROKERS): no process to pause'
        : undefined,
    async inject(run, options) {
      await run.untilFetched(MID_SYNC);
      run.log(`  SIGSTOP broker pid ${run.brokerPid} for ${options.brokerPauseMs / 1000} s`);
      process.kill(run.brokerPid!, 'SIGSTOP');
      try {
        // the fault is a pause of this length
        await sleep(options.brokerPauseMs);
      } finally {
        process.kill(run.brokerPid!, 'SIGCONT');
      }
      return Date.now();
    },
  },
  {
    name: 'db-terminate',
    fault: 'pg_terminate_backend on every connection to the database, 5 times 1 s apart, mid-sync',
    async inject(run) {
      await run.untilFetched(MID_SYNC);
      let ended = 0;
      for (let cut = 0; cut < 5; cut++) {
        if (cut > 0) await sleep(1000);
        ended += await run.terminateConnections();
      }
      run.log(`  ${ended} connections terminated`);
      return Date.now();
    },
  },
  {
    name: 'db-restart',
    fault: 'the PostgreSQL server restarted (pg_ctlcluster … restart) mid-sync',
    skip: (o) =>
      o.restartDatabase
        ? undefined
        : 'only with --restart-database (it restarts the whole server, every database on it)',
    async inject(run) {
      await run.untilFetched(MID_SYNC);
      const cluster = clusterOnPort(run.databaseServer.port);
      if (!cluster)
        throw new SkipScenario(
          `no pg_ctlcluster cluster listens on port ${run.databaseServer.port} (pg_lsclusters)`,
        );
      const restart = spawnSync('pg_ctlcluster', [cluster.version, cluster.name, 'restart'], {
        encoding: 'utf8',
      });
      if (restart.status !== 0)
        throw new SkipScenario(
          `pg_ctlcluster ${cluster.version} ${cluster.name} restart was refused: ${(restart.stderr || restart.error?.message || '').trim()}`,
        );
      return Date.now();
    },
  },
  {
    name: 'poison',
    fault:
      'poison messages of three kinds (undecodable, schema-invalid, parse-poison bodies) produced to the raw topic mid-sync',
    poison: true,
    async inject(run) {
      await run.untilFetched(0.2);
      await run.producePoison();
      return Date.now();
    },
  },
  {
    name: 'sigterm',
    fault: 'SIGTERM of the fetcher and the loader mid-sync (graceful shutdown), both started again',
    async inject(run) {
      await run.untilFetched(MID_SYNC);
      await Promise.all([run.signal(run.fetchers[0], 'SIGTERM'), run.signal(run.loaders[0], 'SIGTERM')]);
      const spawned = await Promise.all([run.startService('fetcher'), run.startService('loader')]);
      return Math.max(...spawned);
    },
  },
];

/** A scenario that turned out not to be possible here (reported as skipped, with the reason). */
export class SkipScenario extends Error {}

function clusterOnPort(port: number): { version: string; name: string } | undefined {
  const listed = spawnSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  if (listed.status !== 0) return undefined;
  for (const line of listed.stdout.split('\n')) {
    const [version, name, clusterPort] = line.trim().split(/\s+/);
    if (Number(clusterPort) === port) return { version, name };
  }
  return undefined;
}
