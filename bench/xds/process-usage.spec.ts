import { cpuSecondsOf, processUsage } from './process-usage';

describe(cpuSecondsOf.name, () => {
  it('adds utime and stime, in ticks of 1/100 s, after a command name with spaces and parentheses', () => {
    const stat = '4242 (node (xds) main) S 1 4242 4242 0 -1 4194304 96 0 0 0 250 130 0 0 20 0 11 0 39740';

    expect(cpuSecondsOf(stat)).toBeCloseTo(3.8);
  });
});

describe(processUsage.name, () => {
  it('reads the memory and CPU of a live process', () => {
    const usage = processUsage(process.pid);

    expect(usage.rssBytes).toBeGreaterThan(0);
    expect(usage.peakRssBytes).toBeGreaterThanOrEqual(usage.rssBytes);
    expect(usage.cpuSeconds).toBeGreaterThan(0);
  });
});
