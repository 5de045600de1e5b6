import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type RolloutEngine } from './rollout-engine';

/** Runs the rollout engine on a timer, one round at a time; `stop()` waits for a round in progress. */
export class RolloutTicker {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: RolloutEngine,
    private readonly intervalMs: number,
    private readonly logger: MessagingLogger,
  ) {}

  start(): this {
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.advance());
    }, this.intervalMs);
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  private async advance(): Promise<void> {
    try {
      await this.engine.advance();
    } catch (error) {
      this.logger.warn({ err: error }, 'advancing rollouts failed; the next round tries again');
    }
  }
}
