import { type RoleCredentials, runMigrations } from '@envoy-fleet/db';
import type { Logger } from '@envoy-fleet/telemetry';

/**
 * Applies pending migrations as the schema owner. The roles they create and grant to are the ones the
 * app connects as: the login (and password, if any) of `DATABASE_URL` and of the system role's URL.
 */
export async function migrateOnStart(
  urls: { readonly admin: string; readonly app: string; readonly system: string },
  logger: Logger,
): Promise<void> {
  const result = await runMigrations(urls.admin, {
    roles: { app: roleOf(urls.app), system: roleOf(urls.system) },
  });
  if (result.migrations.length === 0) logger.info('database schema is up to date');
  else logger.info({ migrations: result.migrations }, `applied ${result.migrations.length} migration(s)`);
}

function roleOf(url: string): RoleCredentials {
  const { username, password } = new URL(url);
  return {
    name: decodeURIComponent(username),
    password: password === '' ? null : decodeURIComponent(password),
  };
}
