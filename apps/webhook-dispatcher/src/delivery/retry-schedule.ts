/** Exponential backoff between attempts: the first retry after about `baseMs`, never more than `maxMs`. */
export interface RetrySchedule {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** `Math.random`'s contract: a number in [0, 1). */
export type Random = () => number;

/**
 * How long to wait after failed attempt `attempt` (1 for the first): `baseMs · 2^(attempt − 1)`, capped
 * at `maxMs`, with "equal jitter": half of it fixed, the other half random, so that receivers that
 * failed together are not retried together, and no retry comes sooner than half the schedule.
 */
export function retryDelayMs(attempt: number, schedule: RetrySchedule, random: Random = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 40);
  const ceiling = Math.min(schedule.maxMs, schedule.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A `Retry-After` header (RFC 9110 10.2.3) as milliseconds from `now`: delay-seconds or an HTTP date;
 * null when absent or unreadable.
 */
export function retryAfterMs(header: string | undefined, now: Date): number | null {
  const value = header?.trim();
  if (value === undefined || value === '') return null;
  if (/^\d+$/.test(value)) return Number(value) * 1_000;
  // An HTTP date names its day and month; without letters, Date.parse would read "-5" as a year.
  const at = /[a-z]/i.test(value) ? Date.parse(value) : Number.NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
