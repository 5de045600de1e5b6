import { migrationSettingsFromEnv } from './migration-settings';
import { revertMigrations, runMigrations } from './run-migrations';

const USAGE = 'usage: migrate up | revert | revert-all';

/** `pnpm --filter @envoy-fleet/db run migrate` (and `migrate:revert`): see the package README. */
async function main(command: string | undefined): Promise<string> {
  const settings = migrationSettingsFromEnv(process.env);
  switch (command) {
    case 'up': {
      const result = await runMigrations(settings.adminUrl, { roles: settings.roles });
      return result.migrations.length === 0
        ? 'database is up to date'
        : `applied ${result.migrations.length} migration(s): ${result.migrations.join(', ')}`;
    }
    case 'revert':
    case 'revert-all': {
      const result = await revertMigrations(settings.adminUrl, {
        roles: settings.roles,
        all: command === 'revert-all',
      });
      return result.migrations.length === 0
        ? 'nothing to revert'
        : `reverted: ${result.migrations.join(', ')}`;
    }
    default:
      throw new Error(USAGE);
  }
}

/** Where the command connected, without the password, so a failure says which server refused. */
function target(): string {
  try {
    const url = new URL(migrationSettingsFromEnv(process.env).adminUrl);
    url.password = '';
    return ` on ${url.toString()}`;
  } catch {
    return '';
  }
}

main(process.argv[2]).then(
  (summary) => process.stdout.write(`${summary}\n`),
  (error: unknown) => {
    process.stderr.write(
      `migrate failed${target()}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
