import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTethered } from './tethered';

describe('spawnTethered', () => {
  const dir = mkdtempSync(join(tmpdir(), 'staysync-tethered-'));
  const exited = (child: ReturnType<typeof spawnTethered>['child']) =>
    new Promise<number | null>((done) =>
      child.once('exit', (code) => {
        child.stdin?.destroy();
        done(code);
      }),
    );

  it('runs the command with the given env and cwd, logs its output and exits with its status', async () => {
    const log = join(dir, 'status.log');
    const { child, pid } = spawnTethered('sh', ['-c', 'echo "$GREETING from $(pwd)"; exit 3'], log, {
      env: { ...process.env, GREETING: 'hello' },
      cwd: dir,
    });
    const code = exited(child);
    expect(await pid).toBeGreaterThan(0);
    expect(await code).toBe(3);
    expect(readFileSync(log, 'utf8')).toBe(`hello from ${dir}\n`);
  });

  it('exits with 128 + the signal that ended the command', async () => {
    const { child, pid } = spawnTethered('sleep', ['30'], join(dir, 'kill.log'));
    const code = exited(child);
    process.kill(await pid, 'SIGKILL');
    expect(await code).toBe(137);
  });

  it('stops the command on SIGTERM to the launcher and exits with the command’s status', async () => {
    const { child, pid } = spawnTethered('sleep', ['30'], join(dir, 'term.log'));
    const code = exited(child);
    await pid;
    child.kill('SIGTERM');
    expect(await code).toBe(143);
  });
});
