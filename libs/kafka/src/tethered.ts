import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts `command` so that it never outlives this process: it runs under a small shell whose stdin is a
 * pipe from us. When this process ends, however it ends (even SIGKILL), the pipe closes and the shell
 * stops the command (SIGTERM, SIGKILL 20 s later). SIGTERM/SIGINT to the shell (`child.kill()`) stop it
 * the same way. The command's stdout and stderr are appended to `logFile`; `options` sets its environment
 * and working directory (default: this process's).
 */
export function spawnTethered(
  command: string,
  args: string[],
  logFile: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): { child: ChildProcess; pid: Promise<number> } {
  const child = spawn('sh', ['-c', WATCHDOG, 'staysync-tethered', logFile, command, ...args], {
    stdio: ['pipe', 'pipe', 'ignore'],
    ...options,
  });
  return { child, pid: firstLine(child) };
}

/**
 * `sh -c WATCHDOG <name> <logfile> <command> <args…>`: prints the command's pid, waits for it and exits
 * with its status (128 + signal number when a signal ended it). A trapped signal interrupts `wait`; the
 * loop waits again while the command is still there (`wait` also returns the status of a command that
 * ended, and was reaped, before the loop began). The helpers write nowhere (none holds the launcher's
 * stdout pipe open after it exits), and the watcher only waits to SIGKILL a command still there.
 */
const WATCHDOG = `
log="$1"; shift
exec 3<&0
"$@" 3<&- </dev/null >>"$log" 2>&1 &
pid=$!
killer=""
stop() {
  kill -TERM "$pid" 2>/dev/null
  [ -n "$killer" ] || { ( sleep 20; kill -KILL "$pid" 2>/dev/null ) >/dev/null 2>&1 & killer=$!; }
}
trap stop TERM INT
echo "$pid"
( cat <&3 >/dev/null; kill -TERM "$pid" 2>/dev/null && { sleep 20; kill -KILL "$pid" 2>/dev/null; } ) >/dev/null 2>&1 &
watcher=$!
exec 3<&-
while :; do wait "$pid"; status=$?; kill -0 "$pid" 2>/dev/null || break; done
for p in "$watcher" $killer; do pkill -P "$p" 2>/dev/null; kill "$p" 2>/dev/null; done
exit "$status"
`;

/** SIGTERM (after SIGCONT: a paused JVM cannot shut down), then SIGKILL after `timeoutMs`; resolves when it exited. */
export function stopTethered(child: ChildProcess, pid: number, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // already gone
    }
    child.kill('SIGTERM');
    child.stdin?.end();
  });
}

function firstLine(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        child.stdout!.removeAllListeners('data');
        child.stdout!.resume();
        resolve(Number(out.slice(0, newline)));
      }
    });
    child.once('exit', (code) => reject(new Error(`the launcher of a tethered process exited with ${code}`)));
  });
}
