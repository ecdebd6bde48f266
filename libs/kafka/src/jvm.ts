import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnTethered, stopTethered } from './tethered';

/** A JVM of ours (the local broker, Kafka Connect), running until `stop()`; its home is removed then. */
export interface RunningJvm {
  pid: number;
  logFile: string;
  /** SIGTERM, SIGKILL after timeoutMs; idempotent */
  stop(timeoutMs?: number): Promise<void>;
}

export interface JvmLaunch {
  /** the process in messages: "broker", "kafka connect" */
  name: string;
  /** an owned temp dir for config and log, removed on stop and on a failed start */
  home: string;
  /** directory of the resolved jars */
  jars: string;
  mainClass: string;
  /** the properties file passed as the main argument (already written into home) */
  properties: string;
  log4j2: string;
  logFileName: string;
  heapMb: number;
  startTimeoutMs: number;
  /** one readiness attempt: resolves when the process serves, throws while it does not yet */
  ready(): Promise<void>;
}

/**
 * Starts `java -cp <jars>/* <mainClass> <properties>` tethered to this process (./tethered.ts), polls
 * `ready` until it resolves, and on any failure kills the JVM, removes its home and throws with the
 * tail of its log.
 */
export async function launchJvm(launch: JvmLaunch): Promise<RunningJvm> {
  const { name, home, properties } = launch;
  const log4j2File = join(home, 'log4j2.properties');
  writeFileSync(log4j2File, launch.log4j2);
  const logFile = join(home, launch.logFileName);
  const jvm = [
    `-Xms${launch.heapMb}m`,
    `-Xmx${launch.heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${log4j2File}`,
    '-cp',
    `${launch.jars}/*`,
    launch.mainClass,
    properties,
  ];
  const { child, pid: started } = spawnTethered('java', jvm, logFile);
  let exited = false;
  child.once('exit', () => (exited = true));
  let stopped: Promise<void> | undefined;
  const removeHome = () => rmSync(home, { recursive: true, force: true });
  try {
    const pid = await started;
    const deadline = Date.now() + launch.startTimeoutMs;
    let lastError = '';
    for (;;) {
      if (exited) throw new Error(`the ${name} exited during start-up (log: ${logFile})`);
      try {
        await launch.ready();
        break;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `the ${name} did not answer within ${launch.startTimeoutMs} ms (${lastError}; log: ${logFile})`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return {
      pid,
      logFile,
      stop: (timeoutMs = 20_000) => (stopped ??= stopTethered(child, pid, timeoutMs).finally(removeHome)),
    };
  } catch (error) {
    child.kill('SIGKILL');
    spawnSync('pkill', ['-KILL', '-f', properties]);
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '';
    removeHome();
    throw new Error(`${(error as Error).message}${tail ? `\n${name} log:\n${tail}` : ''}`);
  }
}

/** A Java .properties file's text (values are ours: no escaping needed). */
export function propertiesText(props: Record<string, string | number>): string {
  return `${Object.entries(props)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
}
