import { openDataSource, postgresReadinessCheck, systemDatabaseUrl } from '@envoy-fleet/db';
import { type EventBus, openEventBus, OutboxRelay } from '@envoy-fleet/messaging';
import {
  createServiceTelemetry,
  healthReportCheck,
  loadEnv,
  type OwnedResources,
  type RunningApp,
  type ServiceTelemetry,
  startHttpApp,
} from '@envoy-fleet/telemetry';
import { apiSettingsFrom } from './api-settings';
import { type ApiModuleOptions, AppModule } from './app.module';
import { ensureInstallationTenant } from './auth/installation-tenant';
import { apiEmbeddedEnvSchema, type ApiEmbeddedEnv, type ApiEnv, apiEnvSchema } from './env';
import { ManagementGrpcServer } from './grpc/management-grpc-server';
import { migrateOnStart } from './migrate-on-start';
import { buildOpenApiDocument } from './openapi/openapi-document';

const SERVICE_NAME = 'api';

export interface ApiAdapters {
  readonly bus: EventBus;
}

export interface ApiRuntime {
  /** The variables to read instead of `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Adapters owned by the caller (the embedded launcher); without them the api connects to NATS. */
  readonly adapters?: ApiAdapters;
}

/** Starts the api (migrating first when asked to) and resolves once it listens. */
export async function bootstrap(runtime: ApiRuntime = {}): Promise<RunningApp> {
  const { adapters } = runtime;
  if (adapters !== undefined) {
    return start(loadEnv(apiEmbeddedEnvSchema, runtime.env), () => Promise.resolve(adapters));
  }
  const env = loadEnv(apiEnvSchema, runtime.env);
  return start(env, (resources, telemetry) => connect(env, resources, telemetry));
}

type OpenAdapters = (resources: OwnedResources, telemetry: ServiceTelemetry) => Promise<ApiAdapters>;

async function start(env: ApiEmbeddedEnv, openAdapters: OpenAdapters): Promise<RunningApp> {
  const telemetry = createServiceTelemetry({ serviceName: SERVICE_NAME, logLevel: env.LOG_LEVEL });
  const systemUrl = systemDatabaseUrl(env);
  // The env schema requires DATABASE_ADMIN_URL whenever DB_MIGRATE_ON_START is true.
  const migrateAs = env.DB_MIGRATE_ON_START ? env.DATABASE_ADMIN_URL : undefined;
  const grpc = new ManagementGrpcServer({
    host: env.HTTP_HOST,
    port: env.GRPC_PORT,
    shutdownGraceMs: env.SHUTDOWN_TIMEOUT_MS,
    logger: telemetry.logger,
  });
  const app = await startHttpApp({
    telemetry,
    host: env.HTTP_HOST,
    port: env.HTTP_PORT,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    compose: async (resources) => {
      if (migrateAs !== undefined) {
        await migrateOnStart(
          { admin: migrateAs, app: env.DATABASE_URL, system: systemUrl },
          telemetry.logger,
        );
      }
      const dataSource = await openDataSource(resources, 'postgres', {
        url: env.DATABASE_URL,
        applicationName: SERVICE_NAME,
      });
      const systemDataSource = await openDataSource(resources, 'postgres (system role)', {
        url: systemUrl,
        applicationName: `${SERVICE_NAME}-system`,
        poolSize: 4,
      });
      const adminTenantId = await ensureInstallationTenant(systemDataSource, {
        name: env.FLEET_ADMIN_TENANT,
        bootstrapToken: env.FLEET_BOOTSTRAP_TOKEN,
        logger: telemetry.logger,
        announce: (message) => process.stdout.write(message),
      });
      if (env.JWT_SECRET === undefined) {
        telemetry.logger.warn(
          'JWT_SECRET is not set: access tokens are signed with a random key and work on this replica only',
        );
      }
      if (env.SECRET_ENCRYPTION_KEY === undefined) {
        telemetry.logger.warn('SECRET_ENCRYPTION_KEY is not set: configs holding Envoy secrets are refused');
      }
      const { bus } = await openAdapters(resources, telemetry);
      await resources.open(
        'outbox relay',
        () => {
          const relay = new OutboxRelay({ databaseUrl: systemUrl, publisher: bus, logger: telemetry.logger });
          relay.start();
          return Promise.resolve(relay);
        },
        (relay) => relay.stop(),
      );
      const options: ApiModuleOptions = {
        telemetry,
        dependencies: {
          appDataSource: dataSource,
          systemDataSource,
          logger: telemetry.logger,
          settings: apiSettingsFrom(env, adminTenantId),
          bus,
        },
        readinessChecks: [
          postgresReadinessCheck(dataSource),
          healthReportCheck('event-bus', () => bus.health()),
        ],
      };
      const openApiDocument = await buildOpenApiDocument(AppModule.register(options));
      return AppModule.register({ ...options, openApiDocument, grpc });
    },
  });
  return {
    ...app,
    endpoints: [
      { label: 'REST API', address: `${app.url}/api/v1` },
      { label: 'API docs', address: `${app.url}/api/docs` },
      { label: 'gRPC API', address: `${new URL(app.url).hostname}:${grpc.port}` },
    ],
  };
}

async function connect(
  env: ApiEnv,
  resources: OwnedResources,
  telemetry: ServiceTelemetry,
): Promise<ApiAdapters> {
  const bus = await openEventBus(resources, env, { name: SERVICE_NAME, logger: telemetry.logger });
  return { bus };
}
