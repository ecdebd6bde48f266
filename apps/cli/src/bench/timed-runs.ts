/** What every timed figure of the bench reports: the fastest run (single runs vary by ±30 % here). */
export function fastest<T extends { duration_ms: number }>(runs: T[]): T {
  return runs.reduce((best, run) => (run.duration_ms < best.duration_ms ? run : best));
}

export async function repeated<T>(times: number, run: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await run());
  return results;
}

/** One untimed warm-up run (JIT compilation, pools), then `times` timed runs of the same thing. */
export async function afterWarmUp<T>(
  times: number,
  run: () => Promise<T>,
): Promise<{ warmUp: T; runs: T[] }> {
  const warmUp = await run();
  return { warmUp, runs: await repeated(times, run) };
}
