import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dropDatabase } from './postgres';
import { HARNESS_STATE_FILE } from './state';

export default async function globalTeardown(): Promise<void> {
  if (!existsSync(HARNESS_STATE_FILE)) return;
  const state = JSON.parse(readFileSync(HARNESS_STATE_FILE, 'utf8')) as { kcatPid?: number; templateDb?: string };
  if (state.kcatPid) {
    try {
      process.kill(state.kcatPid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  if (state.templateDb && process.env.DATABASE_URL) await dropDatabase(process.env.DATABASE_URL, state.templateDb);
  rmSync(HARNESS_STATE_FILE, { force: true });
}
