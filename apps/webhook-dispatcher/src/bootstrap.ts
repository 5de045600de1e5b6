import { openDataSource, postgresReadinessCheck } from '@envoy-fleet/db';
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
import {
  webhookDispatcherEmbeddedEnvSchema,
  type WebhookDispatcherEmbeddedEnv,
  type WebhookDispatcherEnv,
  webhookDispatcherEnvSchema,
} from './env';

const SERVICE_NAME = 'webhook-dispatcher';

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
      const { bus } = await openAdapters(resources, telemetry);
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
