import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type DeliveryRecorder } from './delivery-recorder';

/** Settles NACKs on a timer; `stop()` waits for a round in progress. */
export class NackSettler {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();

  constructor(
    private readonly recorder: DeliveryRecorder,
    private readonly intervalMs: number,
    private readonly logger: MessagingLogger,
  ) {}

  start(): this {
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.settle());
    }, this.intervalMs);
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  private async settle(): Promise<void> {
    try {
      await this.recorder.settleNacks();
    } catch (error) {
      this.logger.warn({ err: error }, 'settling NACKs failed; the next round tries again');
    }
  }
}
