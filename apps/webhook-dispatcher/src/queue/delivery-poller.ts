import { type MessagingLogger } from '@envoy-fleet/messaging';
import type { ClaimedAttempt, DeliveryQueue } from './delivery-queue';

export interface DeliveryPollerOptions {
  readonly queue: DeliveryQueue;
  /** Sends one claimed attempt and records its outcome; never rejects. */
  readonly run: (attempt: ClaimedAttempt) => Promise<void>;
  /** Attempts in flight at once. */
  readonly concurrency: number;
  /** Attempts of one subscription in flight at once. */
  readonly concurrencyPerSubscription: number;
  readonly intervalMs: number;
  /** How long a claim holds an attempt: longer than an attempt may take. */
  readonly leaseMs: number;
  readonly logger: MessagingLogger;
}

/**
 * Keeps up to `concurrency` attempts in flight, at most `concurrencyPerSubscription` of one
 * subscription: it claims due attempts every `intervalMs`, when woken (an event was queued), and when an
 * attempt finishes while more were due. `stop()` claims nothing more and resolves once the attempts in
 * flight are sent and recorded.
 */
export class DeliveryPoller {
  private readonly inFlight = new Set<Promise<void>>();
  /** Attempts in flight by subscription id. */
  private readonly inFlightBySubscription = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private stopped = false;

  constructor(private readonly options: DeliveryPollerOptions) {}

  start(): this {
    this.timer = setInterval(() => this.wake(), this.options.intervalMs);
    this.wake();
    return this;
  }

  /** Looks for due attempts now (or right after the look in progress). */
  wake(): void {
    if (this.stopped) return;
    if (this.polling !== undefined) {
      this.pollAgain = true;
      return;
    }
    this.polling = this.poll().finally(() => {
      this.polling = undefined;
      if (this.pollAgain) {
        this.pollAgain = false;
        this.wake();
      }
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling;
    await Promise.all(this.inFlight);
  }

  private async poll(): Promise<void> {
    try {
      for (;;) {
        const free = this.options.concurrency - this.inFlight.size;
        if (this.stopped || free <= 0) return;
        const claimed = await this.options.queue.claim({
          limit: free,
          leaseMs: this.options.leaseMs,
          perSubscription: this.options.concurrencyPerSubscription,
          inFlight: this.inFlightBySubscription,
        });
        for (const attempt of claimed) this.track(attempt);
        // Fewer than asked for: nothing more is due now (or only what the per-subscription limit holds).
        if (claimed.length < free) return;
      }
    } catch (error) {
      this.options.logger.error({ err: error }, 'cannot claim due webhook attempts; trying again shortly');
    }
  }

  private track(attempt: ClaimedAttempt): void {
    const { subscriptionId } = attempt;
    const bySubscription = this.inFlightBySubscription;
    bySubscription.set(subscriptionId, (bySubscription.get(subscriptionId) ?? 0) + 1);
    const running = this.options.run(attempt).finally(() => {
      this.inFlight.delete(running);
      const left = (bySubscription.get(subscriptionId) ?? 1) - 1;
      if (left === 0) bySubscription.delete(subscriptionId);
      else bySubscription.set(subscriptionId, left);
      // A slot is free again: for the backlog, or for an attempt this subscription's limit held back.
      this.wake();
    });
    this.inFlight.add(running);
  }
}
