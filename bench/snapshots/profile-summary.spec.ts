import { type CpuProfile, summarizeProfile } from './profile-summary';

const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber });

/** root → build → (translate → parse), with `parse` recursing into itself once. */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', '', -1), children: [2, 6] },
    { id: 2, callFrame: frame('build', 'file:///work/main/apps/fleet-manager/dist/b.js', 9), children: [3] },
    {
      id: 3,
      callFrame: frame('translate', 'file:///work/main/apps/fleet-manager/dist/t.js', 19),
      children: [4],
    },
    { id: 4, callFrame: frame('parse', 'file:///x/node_modules/@bufbuild/protobuf/p.js', 4), children: [5] },
    { id: 5, callFrame: frame('parse', 'file:///x/node_modules/@bufbuild/protobuf/p.js', 4) },
    { id: 6, callFrame: frame('(idle)', '', -1) },
  ],
  samples: [5, 4, 3, 2, 6, 5],
  timeDeltas: [1_000, 1_000, 1_000, 1_000, 5_000, 2_000],
};

describe(summarizeProfile.name, () => {
  it('ranks functions by their own time and by the time under them, each frame once per sample', () => {
    const summary = summarizeProfile(profile, 4);

    expect(summary.totalMs).toBe(11);
    expect(summary.self).toEqual([
      { frame: '(idle) :0', ms: 5, percent: 45.5 },
      { frame: 'parse @bufbuild/protobuf/p.js:5', ms: 4, percent: 36.4 },
      { frame: 'build apps/fleet-manager/dist/b.js:10', ms: 1, percent: 9.1 },
      { frame: 'translate apps/fleet-manager/dist/t.js:20', ms: 1, percent: 9.1 },
    ]);
    expect(summary.inclusive).toEqual([
      { frame: '(root) :0', ms: 11, percent: 100 },
      { frame: 'build apps/fleet-manager/dist/b.js:10', ms: 6, percent: 54.5 },
      { frame: '(idle) :0', ms: 5, percent: 45.5 },
      { frame: 'translate apps/fleet-manager/dist/t.js:20', ms: 5, percent: 45.5 },
    ]);
  });

  it('counts a recursive function once per sample under itself', () => {
    expect(summarizeProfile(profile, 10).inclusive).toContainEqual({
      frame: 'parse @bufbuild/protobuf/p.js:5',
      ms: 4,
      percent: 36.4,
    });
  });

  it('summarizes an empty profile as nothing', () => {
    expect(summarizeProfile({ nodes: [], samples: [], timeDeltas: [] }, 5)).toEqual({
      totalMs: 0,
      self: [],
      inclusive: [],
    });
  });
});
