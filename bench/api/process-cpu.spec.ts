import { cpuMsBetween, cpuMsOfStat } from './process-cpu';

describe('process CPU accounting', () => {
  it('reads user and system ticks from a /proc stat line, whatever the command name holds', () => {
    const stat =
      '4242 (node dist/main.js) S 1 4242 4242 0 -1 4194304 9100 0 0 0 1234 566 0 0 20 0 11 0 777 1 2 3';
    expect(cpuMsOfStat(stat)).toBe(18_000);
  });

  it('counts processes seen before by their difference and new ones whole', () => {
    const before = new Map([
      [1, 1_000],
      [2, 500],
    ]);
    const after = new Map([
      [1, 1_800],
      [3, 250],
    ]);
    expect(cpuMsBetween(before, after)).toBe(1_050);
  });
});
