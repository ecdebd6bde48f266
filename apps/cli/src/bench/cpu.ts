import { readdirSync, readFileSync } from 'node:fs';
import { round } from './fetch-phase';

/** CPU time spent in a timed span: this Node process (all its threads) and the local PostgreSQL server's processes. */
export interface CpuMs {
  /** this process: the loader apps, or the peer's client (node-postgres) */
  node_process: number;
  /** every process named `postgres` on this machine (null when PostgreSQL is not local or /proc is absent) */
  postgres: number | null;
}

export interface CpuSample {
  process: NodeJS.CpuUsage;
  postgres: number | null;
}

export function sampleCpu(): CpuSample {
  return { process: process.cpuUsage(), postgres: postgresCpuMs() };
}

export function cpuSpent(start: CpuSample | undefined, end: CpuSample | undefined): CpuMs {
  if (!start || !end) return { node_process: 0, postgres: null };
  const micros = end.process.user - start.process.user + end.process.system - start.process.system;
  return {
    node_process: round(micros / 1000),
    postgres: start.postgres === null || end.postgres === null ? null : end.postgres - start.postgres,
  };
}

/** USER_HZ is 100 on Linux: /proc times are in 10 ms ticks */
const MS_PER_TICK = 10;

/** utime + stime of one process (all its threads), in ms; null when it is gone or /proc is absent. */
export function processCpuMs(pid: number): number | null {
  try {
    return statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * MS_PER_TICK;
  } catch {
    return null;
  }
}

/** utime + stime of every process named `postgres` on this machine, in ms (Linux /proc; null elsewhere). */
export function postgresCpuMs(): number | null {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
        ticks += statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        // the process ended meanwhile
      }
    }
    return ticks * MS_PER_TICK;
  } catch {
    return null;
  }
}

/** utime (field 14) + stime (field 15) of a /proc/<pid>/stat line; fields counted after the parenthesised name */
export function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}
