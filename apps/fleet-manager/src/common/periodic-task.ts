import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type OwnedResources } from '@envoy-fleet/telemetry';

export interface PeriodicTaskOptions {
  /** Names the task in the log line of a failed round. */
  readonly name: string;
  readonly intervalMs: number;
  /** One round; a round that fails is logged and the next one runs at the next interval. */
  readonly run: () => Promise<unknown>;
  readonly logger: MessagingLogger;
}

/**
 * Runs `run` every `intervalMs`, one round at a time: a round that outlasts the interval delays the
 * next one instead of overlapping it. `stop()` clears the timer and waits for the round in progress.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();

  constructor(private readonly options: PeriodicTaskOptions) {}

  start(): this {
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.runOnce());
    }, this.options.intervalMs);
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
  }

  private async runOnce(): Promise<void> {
    try {
      await this.options.run();
    } catch (error) {
      this.options.logger.error(
        { err: error, task: this.options.name },
        `${this.options.name} failed; retried at the next interval`,
      );
    }
  }
}

/** Starts a {@link PeriodicTask} owned by the app: stopped (waiting for its round) when the app closes. */
export function runPeriodically(
  resources: OwnedResources,
  options: PeriodicTaskOptions,
): Promise<PeriodicTask> {
  return resources.open(
    options.name,
    () => Promise.resolve(new PeriodicTask(options).start()),
    (task) => task.stop(),
  );
}
