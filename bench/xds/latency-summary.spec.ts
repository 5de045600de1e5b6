import { percentile, summarize } from './latency-summary';

describe(summarize.name, () => {
  it('takes nearest-rank percentiles whatever the order of the values', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);

    expect(summarize(values)).toEqual({ count: 100, p50Ms: 50, p90Ms: 90, p99Ms: 99, maxMs: 100 });
  });

  it('gives the single value for every percentile of one value, rounded to 0.1 ms', () => {
    expect(summarize([12.345])).toEqual({ count: 1, p50Ms: 12.3, p90Ms: 12.3, p99Ms: 12.3, maxMs: 12.3 });
  });

  it('refuses an empty set and a percentile out of range', () => {
    expect(() => percentile([], 50)).toThrow('no values');
    expect(() => percentile([1], 0)).toThrow('a percentile is in (0, 100], got 0');
  });
});
