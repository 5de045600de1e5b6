import { retryAfterMs, retryDelayMs } from './retry-schedule';

describe(retryDelayMs.name, () => {
  const schedule = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles from the base delay with each attempt, half of it random', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, schedule, () => 0))).toEqual([
      500, 1_000, 2_000, 4_000,
    ]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, schedule, () => 0.999_999))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(retryDelayMs(3, schedule, () => 0.5)).toBe(3_000);
  });

  it('never waits longer than the maximum, however many attempts failed', () => {
    expect(retryDelayMs(7, schedule, () => 0.999_999)).toBe(60_000);
    expect(retryDelayMs(50, schedule, () => 0.999_999)).toBe(60_000);
    expect(retryDelayMs(50, schedule, () => 0)).toBe(30_000);
  });
});

describe(retryAfterMs.name, () => {
  const now = new Date('2026-11-25T10:00:00Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Wed, 25 Nov 2026 10:01:30 GMT', now)).toBe(90_000);
  });

  it('reads a date in the past as now, and ignores what it cannot read', () => {
    expect(retryAfterMs('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs('', now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-5', now)).toBeNull();
  });
});
