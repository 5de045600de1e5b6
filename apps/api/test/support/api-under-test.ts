import { randomBytes } from 'node:crypto';
import { runMigrations } from '@envoy-fleet/db';
import type { RunningApp } from '@envoy-fleet/telemetry';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { Client } from 'pg';
import { bootstrap } from '../../src/bootstrap';
import { ApiClient } from './api-client';

export interface ApiUnderTest {
  readonly app: RunningApp;
  readonly database: TestDatabase;
  /** The installation admin's API key (FLEET_BOOTSTRAP_TOKEN). */
  readonly adminKey: string;
  /** A client authenticated with the admin key. */
  readonly admin: ApiClient;
  /** A client without credentials. */
  readonly anonymous: ApiClient;
  /** Runs SQL as the table owner, past row-level security: to look at what was stored. */
  sql<T>(text: string, parameters?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Boots the real api through `bootstrap()` on a fresh, migrated database of its own and the shared
 * JetStream server (streams in a namespace of the suite's own).
 */
export async function startApi(label: string, env: Record<string, string> = {}): Promise<ApiUnderTest> {
  const database = await createTestDatabase({ migrate: runMigrations, label });
  const adminKey = `test-bootstrap-${randomBytes(16).toString('hex')}`;
  let app: RunningApp;
  try {
    app = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        GRPC_PORT: await freePort(),
        LOG_LEVEL: 'fatal',
        DATABASE_URL: database.appUrl,
        DATABASE_SYSTEM_URL: database.systemUrl,
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: `api_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(3).toString('hex')}`,
        FLEET_BOOTSTRAP_TOKEN: adminKey,
        JWT_SECRET: randomBytes(32).toString('hex'),
        SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        ...env,
      },
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const sql = async <T>(text: string, parameters: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: database.adminUrl });
    await client.connect();
    try {
      return (await client.query(text, parameters)).rows as T[];
    } finally {
      await client.end();
    }
  };
  return {
    app,
    database,
    adminKey,
    admin: new ApiClient(app.url, adminKey),
    anonymous: new ApiClient(app.url),
    sql,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}
