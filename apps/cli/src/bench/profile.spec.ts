import type { Profiler } from 'node:inspector';
import { summarizeProfile } from './profile';

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
  scriptId: '0',
});

describe('Bench > summarizeProfile', () => {
  // root → handle (app.ts:10) → JSON.parse (native); root → (idle); root → post (node:inspector) → dispatch
  const profile: Profiler.Profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
      { id: 2, callFrame: frame('handle', `file://${process.cwd()}/apps/app.ts`, 9), children: [3] },
      { id: 3, callFrame: frame('parse') },
      { id: 4, callFrame: frame('(idle)') },
      { id: 5, callFrame: frame('post', 'node:inspector', 110), children: [6] },
      { id: 6, callFrame: frame('dispatch') },
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [2, 3, 3, 4, 6, 3, 2],
    timeDeltas: [1000, 2000, 500, 4000, 3000, 1500, 500],
  };

  it('sums self time per function, most first, leaving out idle time and the profiler’s own stop', () => {
    expect(summarizeProfile(profile, '/tmp/x.cpuprofile')).toEqual({
      file: '/tmp/x.cpuprofile',
      sampled_ms: 5.5,
      top_self_ms: [
        { function: 'parse', ms: 4 },
        { function: 'handle apps/app.ts:10', ms: 1.5 },
      ],
    });
  });

  it('keeps the top N', () => {
    expect(summarizeProfile(profile, 'f', 1).top_self_ms).toEqual([{ function: 'parse', ms: 4 }]);
  });
});
