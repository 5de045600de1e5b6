import { openDataSource, postgresReadinessCheck, systemDatabaseUrl } from '@envoy-fleet/db';
import { type EventBus, openEventBus } from '@envoy-fleet/messaging';
import { RedisSnapshotStore, type SnapshotStore } from '@envoy-fleet/snapshot-store';
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
import { consumeProxyReports } from './deliveries/delivery-events.consumer';
import { DeliveryRecorder } from './deliveries/delivery-recorder';
import { runPeriodically } from './common/periodic-task';
import { ServedSnapshots } from './deliveries/served-snapshots';
import { DriftMonitor } from './drift/drift-monitor';
import { DeliveryMetrics } from './metrics/delivery-metrics';
import { RolloutEngine } from './rollouts/rollout-engine';
import { EffectiveConfigRepository } from './snapshots/effective-config.repository';
import { SnapshotBuilder } from './snapshots/snapshot-builder';
import { consumeSnapshotTriggers } from './snapshots/snapshot-events.consumer';
import { SnapshotReads } from './snapshots/snapshot-reads';
import { SnapshotRebuild } from './snapshots/snapshot-rebuild';
import { fleetSettingsFrom } from './scheduling/fleet-settings';
import { startFleetScheduling } from './scheduling/fleet-scheduling';
import {
  fleetManagerEmbeddedEnvSchema,
  type FleetManagerEmbeddedEnv,
  type FleetManagerEnv,
  fleetManagerEnvSchema,
} from './env';

const SERVICE_NAME = 'fleet-manager';

export interface FleetManagerAdapters {
  readonly bus: EventBus;
  readonly snapshotStore: SnapshotStore;
}

export interface FleetManagerRuntime {
  /** The variables to read instead of `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Adapters owned by the caller (the embedded launcher); without them the app connects to NATS and Redis. */
  readonly adapters?: FleetManagerAdapters;
}

/** Starts the fleet-manager and resolves once it listens. */
export async function bootstrap(runtime: FleetManagerRuntime = {}): Promise<RunningApp> {
  const { adapters } = runtime;
  if (adapters !== undefined) {
    return start(loadEnv(fleetManagerEmbeddedEnvSchema, runtime.env), () => Promise.resolve(adapters));
  }
  const env = loadEnv(fleetManagerEnvSchema, runtime.env);
  return start(env, (resources, telemetry) => connect(env, resources, telemetry));
}

type OpenAdapters = (resources: OwnedResources, telemetry: ServiceTelemetry) => Promise<FleetManagerAdapters>;

function start(env: FleetManagerEmbeddedEnv, openAdapters: OpenAdapters): Promise<RunningApp> {
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
      const { bus, snapshotStore } = await openAdapters(resources, telemetry);
      const metrics = new DeliveryMetrics(telemetry.metrics.registry);
      await resources.open(
        'snapshot announcements',
        () =>
          bus.subscribe('snapshot.updated', (event) => {
            metrics.snapshotsAnnounced(event.payload.servingKeys, new Date(event.occurredAt));
            return Promise.resolve();
          }),
        (subscription) => subscription.stop(),
      );
      const builder = new SnapshotBuilder({
        configs: new EffectiveConfigRepository(systemDataSource),
        store: snapshotStore,
        events: bus,
        logger: telemetry.logger,
        metrics,
      });
      // Redis is a cache of PostgreSQL: whatever it lost (a flush, a new instance) is rebuilt before serving.
      const rebuilt = await builder.execute();
      telemetry.logger.info(
        {
          published: rebuilt.published.length,
          repointed: rebuilt.repointed.length,
          rejected: rebuilt.rejected.length,
        },
        'snapshots rebuilt from PostgreSQL',
      );
      await resources.open(
        'snapshot consumer',
        () =>
          consumeSnapshotTriggers(bus, builder, {
            rebuild: new SnapshotRebuild({
              builder,
              store: snapshotStore,
              events: bus,
              logger: telemetry.logger,
            }),
            reads: new SnapshotReads({ store: snapshotStore, events: bus }),
          }),
        (subscription) => subscription.stop(),
      );
      const recorder = new DeliveryRecorder({
        dataSource,
        systemDataSource,
        served: new ServedSnapshots(snapshotStore),
        transientWindowMs: env.NACK_TRANSIENT_WINDOW_MS,
        logger: telemetry.logger,
        metrics,
      });
      await resources.open(
        'proxy report consumer',
        () => consumeProxyReports(bus, recorder),
        (subscription) => subscription.stop(),
      );
      const every = (name: string, intervalMs: number, run: () => Promise<unknown>) =>
        runPeriodically(resources, { name, intervalMs, run, logger: telemetry.logger });
      await every('settling NACKs', settleIntervalMs(env), () => recorder.settleNacks());
      const rolloutEngine = new RolloutEngine({
        systemDataSource,
        served: new ServedSnapshots(snapshotStore),
        logger: telemetry.logger,
      });
      await every('advancing rollouts', env.ROLLOUT_INTERVAL_MS, () => rolloutEngine.advance());
      const drift = new DriftMonitor({
        systemDataSource,
        store: snapshotStore,
        thresholdMs: env.DRIFT_THRESHOLD_MS,
        logger: telemetry.logger,
      });
      await every('drift check', env.DRIFT_CHECK_INTERVAL_MS, () => drift.execute());
      await startFleetScheduling(resources, {
        settings: fleetSettingsFrom(env),
        dataSource,
        systemDataSource,
        bus,
        registry: telemetry.metrics.registry,
        logger: telemetry.logger,
      });
      return AppModule.register({
        telemetry,
        readinessChecks: [
          postgresReadinessCheck(dataSource),
          { name: 'snapshot-store', check: () => snapshotStore.ping() },
          healthReportCheck('event-bus', () => bus.health()),
        ],
      });
    },
  });
}

/** Often enough that a lasting NACK is announced within about one and a half windows. */
function settleIntervalMs(env: FleetManagerEmbeddedEnv): number {
  return Math.max(50, Math.floor(env.NACK_TRANSIENT_WINDOW_MS / 2));
}

async function connect(
  env: FleetManagerEnv,
  resources: OwnedResources,
  telemetry: ServiceTelemetry,
): Promise<FleetManagerAdapters> {
  const snapshotStore = await resources.open(
    'snapshot store',
    () => RedisSnapshotStore.connect({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX }),
    (opened) => opened.close(),
  );
  const bus = await openEventBus(resources, env, { name: SERVICE_NAME, logger: telemetry.logger });
  return { bus, snapshotStore };
}
