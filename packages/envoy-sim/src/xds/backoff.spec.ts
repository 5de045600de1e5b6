import { JitteredExponentialBackoff } from './backoff';

describe(JitteredExponentialBackoff.name, () => {
  it('draws each delay below an interval that doubles from the base up to the max', () => {
    const sut = new JitteredExponentialBackoff(500, 30_000, () => 0.999999);
    const delays = Array.from({ length: 9 }, () => sut.nextDelayMs());
    expect(delays).toEqual([499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999]);
  });

  it('spreads delays over the whole interval (full jitter) and restarts from the base after reset', () => {
    const sut = new JitteredExponentialBackoff(500, 30_000, () => 0);
    expect(sut.nextDelayMs()).toBe(0);
    const high = new JitteredExponentialBackoff(500, 30_000, () => 0.5);
    high.nextDelayMs();
    high.nextDelayMs();
    high.reset();
    expect(high.nextDelayMs()).toBe(250);
  });

  it('refuses a max below the base', () => {
    expect(() => new JitteredExponentialBackoff(1000, 500)).toThrow('0 < base (1000 ms) <= max (500 ms)');
  });
});
