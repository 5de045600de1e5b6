import { resolve } from 'node:path';
import { bootstrap as startApi } from '@envoy-fleet/api/bootstrap';
import { DEFAULT_DATABASE_ROLES, type DatabaseRoles, runMigrations, urlForRole } from '@envoy-fleet/db';
import { bootstrap as startFleetManager } from '@envoy-fleet/fleet-manager/bootstrap';
import { type EventBus, InProcessEventBus } from '@envoy-fleet/messaging';
import { bootstrap as startNodeAgent } from '@envoy-fleet/node-agent/bootstrap';
import { InMemorySnapshotStore, type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { type Logger, OwnedResources, type RunningApp } from '@envoy-fleet/telemetry';
import { bootstrap as startWebhookDispatcher } from '@envoy-fleet/webhook-dispatcher/bootstrap';
import { bootstrap as startXdsServer } from '@envoy-fleet/xds-server/bootstrap';
import { APP_NAMES, type AppName, envForApp } from '../app-catalogue';
import type { LaunchedApp, LaunchedProduct } from '../launched-app';
import { startEmbeddedPostgres } from './embedded-postgres';

export interface EmbeddedOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly postgresPort: number;
  /** Default: `.data/postgres` in the repository. */
  readonly postgresDataDir: string | undefined;
  readonly logger: Logger;
}

interface InProcessAdapters {
  readonly bus: EventBus;
  readonly snapshotStore: SnapshotStore;
}

const DATABASE = 'envoy_fleet';
/** `apps/launcher/dist/embedded` (or `src/embedded`) → the repository root. */
const REPOSITORY_ROOT = resolve(__dirname, '..', '..', '..', '..');

const STARTERS: {
  readonly [App in AppName]: (env: NodeJS.ProcessEnv, adapters: InProcessAdapters) => Promise<RunningApp>;
} = {
  api: (env, { bus }) => startApi({ env, adapters: { bus } }),
  'fleet-manager': (env, adapters) => startFleetManager({ env, adapters }),
  'xds-server': (env, adapters) => startXdsServer({ env, adapters }),
  'webhook-dispatcher': (env, { bus }) => startWebhookDispatcher({ env, adapters: { bus } }),
  'node-agent': (env, { bus }) => startNodeAgent({ env, adapters: { bus } }),
};

/**
 * The whole product in this process with nothing installed: an embedded PostgreSQL (migrated here), the
 * in-process event bus and snapshot store, and the five apps started on them. Closing stops the apps
 * (newest first), then the adapters, then PostgreSQL.
 */
export async function runEmbedded(options: EmbeddedOptions): Promise<LaunchedProduct> {
  const { logger } = options;
  const dataDir = options.postgresDataDir ?? resolve(REPOSITORY_ROOT, '.data', 'postgres');
  const resources = new OwnedResources();
  try {
    const postgres = await resources.open(
      'embedded PostgreSQL',
      () => startEmbeddedPostgres({ dataDir, port: options.postgresPort, database: DATABASE, logger }),
      (running) => running.stop(),
    );
    const roles: DatabaseRoles = {
      app: { ...DEFAULT_DATABASE_ROLES.app, password: postgres.credentials.app },
      system: { ...DEFAULT_DATABASE_ROLES.system, password: postgres.credentials.system },
    };
    const migrated = await runMigrations(postgres.adminUrl, { roles });
    if (migrated.migrations.length === 0) logger.info('database schema is up to date');
    else
      logger.info({ migrations: migrated.migrations }, `applied ${migrated.migrations.length} migration(s)`);

    const bus = await resources.open(
      'in-process event bus',
      () => Promise.resolve(new InProcessEventBus({ logger })),
      (opened) => opened.close(),
    );
    await bus.provisionStreams();
    const snapshotStore = await resources.open(
      'in-process snapshot store',
      () => Promise.resolve(new InMemorySnapshotStore()),
      (opened) => opened.close(),
    );

    const shared = {
      DATABASE_URL: urlForRole(postgres.adminUrl, roles.app),
      DATABASE_SYSTEM_URL: urlForRole(postgres.adminUrl, roles.system),
      // Migrated above, as the superuser.
      DB_MIGRATE_ON_START: 'false',
    };
    const apps: LaunchedApp[] = [];
    for (const name of APP_NAMES) {
      const app = await resources.open(
        name,
        () => STARTERS[name](envForApp(name, options.env, shared), { bus, snapshotStore }),
        (running) => running.close(),
      );
      apps.push({ name, url: app.url, endpoints: app.endpoints ?? [] });
    }
    return {
      description:
        `one process: embedded PostgreSQL on 127.0.0.1:${options.postgresPort} (data in ${dataDir}), ` +
        'in-process event bus and snapshot store',
      apps,
      close: () => resources.closeAll(logger),
    };
  } catch (error) {
    await resources.closeAll(logger);
    throw error;
  }
}
