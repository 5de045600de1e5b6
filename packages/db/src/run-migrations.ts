import { MigrationExecutor } from 'typeorm';
import { DEFAULT_DATABASE_ROLES, type DatabaseRoles } from './database-roles';
import { createDataSource } from './data-source';

export interface MigrationOptions {
  /** The roles to create and grant to; defaults to `envoy_fleet_app`/`envoy_fleet_system` without passwords. */
  readonly roles?: DatabaseRoles;
}

export interface MigrationResult {
  /** Names of the migrations applied or reverted by this call, in order. */
  readonly migrations: readonly string[];
  readonly roles: DatabaseRoles;
}

/** Several app replicas may migrate on start-up at once: they take turns on this advisory lock. */
const MIGRATION_LOCK_KEY = 435_778_048_889;

/** Applies every pending migration in one transaction, as the owner role of `adminUrl`. */
export async function runMigrations(
  adminUrl: string,
  options: MigrationOptions = {},
): Promise<MigrationResult> {
  const roles = options.roles ?? DEFAULT_DATABASE_ROLES;
  const applied = await withMigrationExecutor(adminUrl, roles, async (executor) => {
    executor.transaction = 'all';
    return executor.executePendingMigrations();
  });
  return { migrations: applied.map((migration) => migration.name), roles };
}

/** Reverts the newest applied migration, or all of them with `all: true` (down to an empty schema). */
export async function revertMigrations(
  adminUrl: string,
  options: MigrationOptions & { readonly all?: boolean } = {},
): Promise<MigrationResult> {
  const roles = options.roles ?? DEFAULT_DATABASE_ROLES;
  const reverted = await withMigrationExecutor(adminUrl, roles, async (executor) => {
    const names: string[] = [];
    for (;;) {
      const executed = await executor.getExecutedMigrations();
      const newest = executed.sort((a, b) => b.timestamp - a.timestamp)[0];
      if (!newest) break;
      await executor.undoLastMigration();
      names.push(newest.name);
      if (!options.all) break;
    }
    return names;
  });
  return { migrations: reverted, roles };
}

async function withMigrationExecutor<T>(
  adminUrl: string,
  roles: DatabaseRoles,
  work: (executor: MigrationExecutor) => Promise<T>,
): Promise<T> {
  const dataSource = createDataSource({
    url: adminUrl,
    roles,
    applicationName: 'envoy-fleet-migrations',
    poolSize: 2,
  });
  await dataSource.initialize();
  const queryRunner = dataSource.createQueryRunner();
  try {
    await queryRunner.connect();
    await queryRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await work(new MigrationExecutor(dataSource, queryRunner));
    } finally {
      await queryRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await queryRunner.release();
    await dataSource.destroy();
  }
}
