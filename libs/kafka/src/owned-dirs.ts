import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A new temp dir `<tmp>/<prefix>XXXXXX` that names its owner (this process's pid, in `owner`), after
 * removing the dirs of that prefix whose owner is gone: a local broker's storage or a Connect worker's
 * files whose starting process was killed before its `stop()`. (The JVM itself stopped with its owner,
 * see ./tethered.ts.)
 */
export function ownedTempDir(prefix: string): string {
  removeStaleDirs(prefix);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'owner'), String(process.pid));
  return dir;
}

function removeStaleDirs(prefix: string): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(prefix)) continue;
    const dir = join(tmpdir(), name);
    try {
      const owner = Number(readFileSync(join(dir, 'owner'), 'utf8').trim());
      if (owner > 0 && !processAlive(owner)) rmSync(dir, { recursive: true, force: true });
    } catch {
      // no owner written yet (a start in progress), or removed meanwhile
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
