/**
 * Envoy's JitteredExponentialBackOffStrategy ("full jitter"): each delay is uniform in [0, interval),
 * the interval doubling from `baseMs` up to `maxMs`. Envoy's xDS streams use 500 ms and 30 s and reset
 * the interval when a response arrives (SubscriptionFactory::RetryInitialDelayMs/RetryMaxDelayMs).
 */
export class JitteredExponentialBackoff {
  private nextIntervalMs: number;

  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {
    if (baseMs <= 0 || maxMs < baseMs) {
      throw new Error(`backoff needs 0 < base (${baseMs} ms) <= max (${maxMs} ms)`);
    }
    this.nextIntervalMs = baseMs;
  }

  nextDelayMs(): number {
    const interval = this.nextIntervalMs;
    this.nextIntervalMs = Math.min(interval * 2, this.maxMs);
    return Math.floor(this.random() * interval);
  }

  reset(): void {
    this.nextIntervalMs = this.baseMs;
  }
}
