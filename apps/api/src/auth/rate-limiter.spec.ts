import { DomainError } from '@envoy-fleet/domain';
import { RateLimiter } from './rate-limiter';

describe(RateLimiter.name, () => {
  let now = 0;
  const sut = (): RateLimiter => new RateLimiter(() => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows a burst of the limit, then refuses with when to retry', () => {
    const limiter = sut();
    for (let index = 0; index < 3; index += 1) limiter.take('key', 3);

    let refused: unknown;
    try {
      limiter.take('key', 3);
    } catch (error) {
      refused = error;
    }

    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('RATE_LIMITED');
    expect((refused as DomainError).details).toEqual({ limitPerMinute: 3, retryAfterSeconds: 20 });
  });

  it('refills at the limit per minute', () => {
    const limiter = sut();
    for (let index = 0; index < 3; index += 1) limiter.take('key', 3);

    now += 20_000;

    expect(() => limiter.take('key', 3)).not.toThrow();
    expect(() => limiter.take('key', 3)).toThrow(DomainError);
  });

  it('counts each key on its own', () => {
    const limiter = sut();
    limiter.take('a', 1);

    expect(() => limiter.take('b', 1)).not.toThrow();
    expect(() => limiter.take('a', 1)).toThrow(DomainError);
  });
});
