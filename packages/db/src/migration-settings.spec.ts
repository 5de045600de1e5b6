import { migrationSettingsFromEnv } from './migration-settings';

describe(migrationSettingsFromEnv.name, () => {
  it('prefers DATABASE_ADMIN_URL and defaults the roles for local trust authentication', () => {
    expect(
      migrationSettingsFromEnv({
        DATABASE_ADMIN_URL: 'postgres://owner@db:5432/envoy_fleet',
        DATABASE_URL: 'postgres://envoy_fleet_app@db:5432/envoy_fleet',
      }),
    ).toEqual({
      adminUrl: 'postgres://owner@db:5432/envoy_fleet',
      roles: {
        app: { name: 'envoy_fleet_app', password: null },
        system: { name: 'envoy_fleet_system', password: null },
      },
    });
  });

  it('falls back to DATABASE_URL and takes role names and passwords from the environment', () => {
    expect(
      migrationSettingsFromEnv({
        DATABASE_URL: 'postgresql://postgres@localhost/envoy_fleet',
        DATABASE_APP_ROLE: 'fleet_app',
        DATABASE_APP_PASSWORD: 's3cret',
        DATABASE_SYSTEM_ROLE: 'fleet_system',
        DATABASE_SYSTEM_PASSWORD: '',
      }),
    ).toEqual({
      adminUrl: 'postgresql://postgres@localhost/envoy_fleet',
      roles: {
        app: { name: 'fleet_app', password: 's3cret' },
        system: { name: 'fleet_system', password: null },
      },
    });
  });

  it('names every wrong or missing variable in one error', () => {
    expect(() =>
      migrationSettingsFromEnv({
        DATABASE_URL: 'mysql://x',
        DATABASE_APP_ROLE: 'App-Role',
        DATABASE_SYSTEM_ROLE: 'App-Role',
      }),
    ).toThrow(
      [
        'invalid database configuration:',
        '- DATABASE_URL: must be a postgres:// or postgresql:// URL',
        '- DATABASE_APP_ROLE: must be a lowercase PostgreSQL role name ([a-z_][a-z0-9_]*, at most 63)',
        '- DATABASE_SYSTEM_ROLE: must be a lowercase PostgreSQL role name ([a-z_][a-z0-9_]*, at most 63)',
      ].join('\n'),
    );
  });

  it('requires a URL to migrate', () => {
    expect(() => migrationSettingsFromEnv({})).toThrow(
      '- DATABASE_ADMIN_URL: set DATABASE_ADMIN_URL (the table owner) or, failing that, DATABASE_URL',
    );
  });

  it('refuses one role for both purposes', () => {
    expect(() =>
      migrationSettingsFromEnv({ DATABASE_URL: 'postgres://h/db', DATABASE_SYSTEM_ROLE: 'envoy_fleet_app' }),
    ).toThrow('- DATABASE_SYSTEM_ROLE: must differ from DATABASE_APP_ROLE');
  });
});
