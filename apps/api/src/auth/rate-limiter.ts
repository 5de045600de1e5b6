import { DomainError } from '@envoy-fleet/domain';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets kept before idle (full) ones are forgotten. */
const MAX_BUCKETS = 10_000;

/**
 * A token bucket per key (an API key or a token subject): `perMinute` requests a minute, bursts up to
 * `perMinute`. In process: each api replica counts on its own, so N replicas allow up to N times the
 * limit; a shared store (Redis) would make it exact across replicas.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Takes one request from the key's bucket, or fails with RATE_LIMITED and when to retry. */
  take(key: string, perMinute: number): void {
    const now = this.now();
    const ratePerMs = perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, updatedAt: now };
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedAt) * ratePerMs);
    bucket.updatedAt = now;
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      const retryAfterSeconds =
        perMinute === 0 ? 60 : Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
      throw new DomainError(
        'RATE_LIMITED',
        `more than ${perMinute} requests a minute with this credential; retry in ${retryAfterSeconds} s`,
        {
          details: { limitPerMinute: perMinute, retryAfterSeconds },
        },
      );
    }
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_BUCKETS) this.forgetIdle(now);
  }

  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt > 60_000) this.buckets.delete(key);
    }
  }
}
