import { writeFileSync } from 'node:fs';
import { Session, type Profiler, type Runtime } from 'node:inspector/promises';
import { relative } from 'node:path';
import { round } from './fetch-phase';

/** What a bench CPU profile showed: where it was written and the functions with the most own time. */
export interface ProfileSummary {
  file: string;
  sampled_ms: number;
  /** functions by self time (their own code, not what they call), most first; `(idle)` left out */
  top_self_ms: Array<{ function: string; ms: number }>;
}

/**
 * Samples this process's CPU (V8's profiler through the inspector) while `run` runs, writes the profile
 * to `file` (open it in Chrome DevTools or speedscope) and summarizes it.
 */
export async function profiled<T>(
  file: string,
  run: () => Promise<T>,
): Promise<{ result: T; profile: ProfileSummary }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const stop = async (): Promise<Profiler.Profile> => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      return profile;
    };
    let result: T;
    try {
      result = await run();
    } catch (error) {
      await stop();
      throw error;
    }
    return { result, profile: summarizeProfile(await stop(), file) };
  } finally {
    session.disconnect();
  }
}

const TOP = 15;

/**
 * Self time per function (name and file:line), summed over the profile's samples; idle time and the
 * profiler's own work (Profiler.stop serializing the profile, under node:inspector's post) left out.
 */
export function summarizeProfile(profile: Profiler.Profile, file: string, top = TOP): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const isProfilerWork = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame?.url === 'node:inspector' && frame.functionName === 'post') return true;
    }
    return false;
  };
  const selfUs = new Map<string, number>();
  let sampledUs = 0;
  profile.samples?.forEach((id, i) => {
    const us = profile.timeDeltas?.[i] ?? 0;
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)' || isProfilerWork(id)) return;
    sampledUs += us;
    const name = frameName(frame);
    selfUs.set(name, (selfUs.get(name) ?? 0) + us);
  });
  return {
    file,
    sampled_ms: round(sampledUs / 1000, 1),
    top_self_ms: [...selfUs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ function: name, ms: round(us / 1000, 1) })),
  };
}

function frameName(frame: Runtime.CallFrame): string {
  const where = frame.url ? ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}` : '';
  return `${frame.functionName || '(anonymous)'}${where}`;
}

/** node_modules/<package>/…, or the path under the working directory */
function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  return inModules >= 0 ? path.slice(inModules + 'node_modules/'.length) : relative(process.cwd(), path);
}
