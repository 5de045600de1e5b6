import type { DataSource } from 'typeorm';
import { createDataSource, type DataSourceSettings } from './data-source';

/** Registers what an app opened so that it is closed on shutdown; telemetry's `OwnedResources` is one. */
export interface DataSourceOwner {
  open<T>(name: string, open: () => Promise<T>, close: (resource: T) => Promise<void>): Promise<T>;
}

/** Opens a connection pool that the app closes with its other resources on shutdown. */
export function openDataSource(
  resources: DataSourceOwner,
  name: string,
  settings: DataSourceSettings,
): Promise<DataSource> {
  return resources.open(
    name,
    () => createDataSource(settings).initialize(),
    (opened) => opened.destroy(),
  );
}

/** A readiness check that passes while PostgreSQL answers a query on the pool. */
export function postgresReadinessCheck(dataSource: DataSource): {
  readonly name: string;
  check(): Promise<void>;
} {
  return { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) };
}
