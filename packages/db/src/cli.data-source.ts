import { createDataSource } from './data-source';
import { migrationSettingsFromEnv } from './migration-settings';

/**
 * For the TypeORM CLI (`typeorm -d dist/cli.data-source.js migration:show`): the owner's connection,
 * configured like `migrate`.
 */
const settings = migrationSettingsFromEnv(process.env);

export default createDataSource({
  url: settings.adminUrl,
  roles: settings.roles,
  applicationName: 'envoy-fleet-cli',
});
