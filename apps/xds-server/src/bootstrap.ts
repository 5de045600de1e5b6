import { type EventBus, openEventBus } from '@envoy-fleet/messaging';
import { RedisSnapshotStore, type SnapshotStore } from '@envoy-fleet/snapshot-store';
import {
  createServiceTelemetry,
  healthReportCheck,
  loadEnv,
  reachableHost,
  type OwnedResources,
  type RunningApp,
  type ServiceTelemetry,
  startHttpApp,
} from '@envoy-fleet/telemetry';
import { AppModule } from './app.module';
import { xdsConfigFrom } from './xds/xds-config';
import { XdsServer } from './xds/xds-server';
import {
  xdsServerEmbeddedEnvSchema,
  type XdsServerEmbeddedEnv,
  type XdsServerEnv,
  xdsServerEnvSchema,
} from './env';

const SERVICE_NAME = 'xds-server';

export interface XdsServerAdapters {
  readonly bus: EventBus;
  readonly snapshotStore: SnapshotStore;
}

export interface XdsServerRuntime {
  /** The variables to read instead of `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Adapters owned by the caller (the embedded launcher); without them the app connects to NATS and Redis. */
  readonly adapters?: XdsServerAdapters;
}

/** Starts the xds-server and resolves once it listens. */
export async function bootstrap(runtime: XdsServerRuntime = {}): Promise<RunningApp> {
  const { adapters } = runtime;
  if (adapters !== undefined) {
    return start(loadEnv(xdsServerEmbeddedEnvSchema, runtime.env), () => Promise.resolve(adapters));
  }
  const env = loadEnv(xdsServerEnvSchema, runtime.env);
  return start(env, (resources, telemetry) => connect(env, resources, telemetry));
}

type OpenAdapters = (resources: OwnedResources, telemetry: ServiceTelemetry) => Promise<XdsServerAdapters>;

async function start(env: XdsServerEmbeddedEnv, openAdapters: OpenAdapters): Promise<RunningApp> {
  const telemetry = createServiceTelemetry({ serviceName: SERVICE_NAME, logLevel: env.LOG_LEVEL });
  const started: { xds?: XdsServer } = {};
  const app = await startHttpApp({
    telemetry,
    host: env.HTTP_HOST,
    port: env.HTTP_PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    compose: async (resources) => {
      const { bus, snapshotStore } = await openAdapters(resources, telemetry);
      const xds = (started.xds = new XdsServer(xdsConfigFrom(env, env.XDS_PORT), {
        store: snapshotStore,
        bus,
        registry: telemetry.metrics.registry,
        logger: telemetry.logger,
      }));
      return AppModule.register({
        telemetry,
        readinessChecks: [
          { name: 'snapshot-store', check: () => snapshotStore.ping() },
          healthReportCheck('event-bus', () => bus.health()),
          xds.readinessCheck(),
        ],
        xds,
      });
    },
  });
  const xdsAddress = `${reachableHost(env.XDS_HOST)}:${started.xds?.port ?? env.XDS_PORT}`;
  return { ...app, endpoints: [{ label: 'xDS (ADS over gRPC)', address: xdsAddress }] };
}

async function connect(
  env: XdsServerEnv,
  resources: OwnedResources,
  telemetry: ServiceTelemetry,
): Promise<XdsServerAdapters> {
  const snapshotStore = await resources.open(
    'snapshot store',
    () => RedisSnapshotStore.connect({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX }),
    (opened) => opened.close(),
  );
  const bus = await openEventBus(resources, env, { name: SERVICE_NAME, logger: telemetry.logger });
  return { bus, snapshotStore };
}
