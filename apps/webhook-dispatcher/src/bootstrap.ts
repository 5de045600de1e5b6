import { openDataSource, postgresReadinessCheck, systemDatabaseUrl } from '@envoy-fleet/db';
import { type EventBus, openEventBus } from '@envoy-fleet/messaging';
import {
  createServiceTelemetry,
  healthReportCheck,
  loadEnv,
  type OwnedResources,
  type RunningApp,
  type ServiceTelemetry,
  startHttpApp,
} from '@envoy-fleet/telemetry';
import { AppModule } from './app.module';
import { AttemptRunner } from './delivery/attempt-runner';
import { TargetPolicy } from './delivery/target-policy';
import { WebhookSender } from './delivery/webhook-sender';
import {
  webhookDispatcherEmbeddedEnvSchema,
  type WebhookDispatcherEmbeddedEnv,
  type WebhookDispatcherEnv,
  webhookDispatcherEnvSchema,
} from './env';
import { consumeEvents } from './intake/event-intake.consumer';
import { WebhookMetrics } from './metrics/webhook-metrics';
import { DeliveryPoller } from './queue/delivery-poller';
import { DeliveryQueue } from './queue/delivery-queue';

const SERVICE_NAME = 'webhook-dispatcher';
/** A claim outlasts the longest attempt by this much before another replica may take the attempt. */
const LEASE_MARGIN_MS = 30_000;

export interface WebhookDispatcherAdapters {
  readonly bus: EventBus;
}

export interface WebhookDispatcherRuntime {
  /** The variables to read instead of `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Adapters owned by the caller (the embedded launcher); without them the app connects to NATS. */
  readonly adapters?: WebhookDispatcherAdapters;
}

/** Starts the webhook-dispatcher and resolves once it listens. */
export async function bootstrap(runtime: WebhookDispatcherRuntime = {}): Promise<RunningApp> {
  const { adapters } = runtime;
  if (adapters !== undefined) {
    return start(loadEnv(webhookDispatcherEmbeddedEnvSchema, runtime.env), () => Promise.resolve(adapters));
  }
  const env = loadEnv(webhookDispatcherEnvSchema, runtime.env);
  return start(env, (resources, telemetry) => connect(env, resources, telemetry));
}

type OpenAdapters = (
  resources: OwnedResources,
  telemetry: ServiceTelemetry,
) => Promise<WebhookDispatcherAdapters>;

function start(env: WebhookDispatcherEmbeddedEnv, openAdapters: OpenAdapters): Promise<RunningApp> {
  const telemetry = createServiceTelemetry({ serviceName: SERVICE_NAME, logLevel: env.LOG_LEVEL });
  return startHttpApp({
    telemetry,
    host: env.HTTP_HOST,
    port: env.HTTP_PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    compose: async (resources) => {
      const dataSource = await openDataSource(resources, 'postgres', {
        url: env.DATABASE_URL,
        applicationName: SERVICE_NAME,
      });
      const systemDataSource = await openDataSource(resources, 'postgres (system role)', {
        url: systemDatabaseUrl(env),
        applicationName: SERVICE_NAME,
      });
      const { bus } = await openAdapters(resources, telemetry);
      if (env.SECRET_ENCRYPTION_KEY === undefined) {
        telemetry.logger.warn(
          'SECRET_ENCRYPTION_KEY is not set: webhooks cannot be signed, so every attempt fails until it is',
        );
      }
      const queue = new DeliveryQueue(dataSource, systemDataSource);
      const policy = new TargetPolicy({
        allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK,
        deniedCidrs: env.WEBHOOK_DENY_CIDRS,
      });
      const runner = new AttemptRunner({
        queue,
        sender: new WebhookSender(policy, env.WEBHOOK_TIMEOUT_MS),
        policy,
        secretKey:
          env.SECRET_ENCRYPTION_KEY === undefined ? null : Buffer.from(env.SECRET_ENCRYPTION_KEY, 'base64'),
        schedule: { baseMs: env.WEBHOOK_RETRY_BASE_MS, maxMs: env.WEBHOOK_RETRY_MAX_MS },
        metrics: new WebhookMetrics(telemetry.metrics.registry, () => queue.dueCount()),
        logger: telemetry.logger,
      });
      // Closed in reverse order: the intake stops first, then the poller finishes its attempts in flight.
      const poller = await resources.open(
        'delivery poller',
        () =>
          Promise.resolve(
            new DeliveryPoller({
              queue,
              run: (attempt) => runner.run(attempt),
              concurrency: env.WEBHOOK_CONCURRENCY,
              concurrencyPerSubscription: env.WEBHOOK_CONCURRENCY_PER_SUBSCRIPTION,
              intervalMs: env.WEBHOOK_POLL_INTERVAL_MS,
              leaseMs: env.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS,
              logger: telemetry.logger,
            }).start(),
          ),
        (opened) => opened.stop(),
      );
      await resources.open(
        'event intake',
        () => consumeEvents(bus, queue, () => poller.wake()),
        (subscription) => subscription.stop(),
      );
      return AppModule.register({
        telemetry,
        readinessChecks: [
          postgresReadinessCheck(dataSource),
          healthReportCheck('event-bus', () => bus.health()),
        ],
      });
    },
  });
}

async function connect(
  env: WebhookDispatcherEnv,
  resources: OwnedResources,
  telemetry: ServiceTelemetry,
): Promise<WebhookDispatcherAdapters> {
  const bus = await openEventBus(resources, env, { name: SERVICE_NAME, logger: telemetry.logger });
  return { bus };
}
