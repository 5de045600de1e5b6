import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AttemptVerdict } from '../delivery/attempt-verdict';

type Result = AttemptVerdict['status'];

/**
 * The dispatcher's metrics, in the app's registry: attempts by result (`succeeded`, `failed` and retried,
 * `dead_lettered`), how long each took, and the backlog of due attempts read at each scrape.
 */
export class WebhookMetrics {
  private readonly attempts: Counter<'result'>;
  private readonly duration: Histogram<'result'>;

  constructor(registry: Registry, dueAttempts: () => Promise<number>) {
    const registers = [registry];
    this.attempts = new Counter({
      name: 'envoy_fleet_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by result: succeeded, failed (to be retried) or dead_lettered',
      labelNames: ['result'],
      registers,
    });
    this.duration = new Histogram({
      name: 'envoy_fleet_webhook_attempt_duration_seconds',
      help: 'Time of one webhook delivery attempt, from connecting to the end of the answer, by result',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    new Gauge({
      name: 'envoy_fleet_webhook_due_attempts',
      help: 'Webhook delivery attempts that are due and not yet claimed by a dispatcher (all replicas)',
      registers,
      async collect() {
        // Without PostgreSQL the gauge keeps its last value, so that /metrics still serves the others.
        await dueAttempts().then(
          (due) => this.set(due),
          () => undefined,
        );
      },
    });
  }

  attempted(result: Result, durationMs: number): void {
    this.attempts.inc({ result });
    this.duration.observe({ result }, durationMs / 1_000);
  }
}
