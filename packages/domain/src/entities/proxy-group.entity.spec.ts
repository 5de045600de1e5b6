import { groupAncestors, wouldCreateGroupCycle } from './proxy-group.entity';

describe(wouldCreateGroupCycle.name, () => {
  // root ← edge ← edge-eu
  const parentOf = new Map<string, string | null>([
    ['root', null],
    ['edge', 'root'],
    ['edge-eu', 'edge'],
  ]);

  it('detects making a group its own ancestor', () => {
    expect(wouldCreateGroupCycle('root', 'edge-eu', parentOf)).toBe(true);
    expect(wouldCreateGroupCycle('edge', 'edge', parentOf)).toBe(true);
  });

  it('allows moving a group under an unrelated branch or to the top', () => {
    expect(wouldCreateGroupCycle('edge-eu', 'root', parentOf)).toBe(false);
    expect(wouldCreateGroupCycle('edge', null, parentOf)).toBe(false);
  });

  it('terminates on data that already holds a loop', () => {
    const looped = new Map<string, string | null>([
      ['a', 'b'],
      ['b', 'a'],
    ]);
    expect(wouldCreateGroupCycle('c', 'a', looped)).toBe(true);
    expect(groupAncestors('a', looped)).toEqual(['b']);
  });

  it('lists ancestors nearest first', () => {
    expect(groupAncestors('edge-eu', parentOf)).toEqual(['edge', 'root']);
    expect(groupAncestors('root', parentOf)).toEqual([]);
  });
});
