import 'reflect-metadata';
import { DataSource, type LoggerOptions } from 'typeorm';
import { DEFAULT_DATABASE_ROLES, type DatabaseRoles } from './database-roles';
import { ENTITIES } from './entities';
import { databaseMigrations } from './migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DataSourceSettings {
  /** `postgres://user:password@host:port/database`. Apps use the app or system role; migrations the owner. */
  readonly url: string;
  /** Shown in `pg_stat_activity`, which tells which app holds a connection. */
  readonly applicationName?: string;
  readonly poolSize?: number;
  /** The roles the migrations grant to; only used by migrations. */
  readonly roles?: DatabaseRoles;
  readonly logging?: LoggerOptions;
}

export const MIGRATIONS_TABLE = 'schema_migrations';

/** The product's only way to build a DataSource: the schema is changed by migrations, never synchronised. */
export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource({
    type: 'postgres',
    url: settings.url,
    applicationName: settings.applicationName ?? 'envoy-fleet',
    poolSize: settings.poolSize,
    entities: ENTITIES,
    migrations: databaseMigrations(settings.roles ?? DEFAULT_DATABASE_ROLES),
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsRun: false,
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    // gen_random_uuid() is built into PostgreSQL 13+; the app role may not create extensions.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: settings.logging ?? false,
  });
}
