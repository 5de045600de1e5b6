import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';

/** A server role that may create databases; tests create one database per suite on it. */
export const TEST_DATABASE_ADMIN_URL =
  process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestRoleLogin {
  readonly name: string;
  readonly password: string | null;
}

/**
 * Migrates the database at `adminUrl` and reports the roles it grants to. `runMigrations` from
 * `@envoy-fleet/db` is one; it is passed in because `@envoy-fleet/db` itself tests with this kit.
 */
export type MigrateDatabase = (adminUrl: string) => Promise<{
  readonly roles: { readonly app: TestRoleLogin; readonly system: TestRoleLogin };
}>;

export interface TestDatabase {
  readonly name: string;
  /** The table owner: migrations and fixtures that must not be restricted by RLS. */
  readonly adminUrl: string;
  /** The app role: what the apps connect as (`DATABASE_URL`); subject to RLS. */
  readonly appUrl: string;
  /** The system role (`DATABASE_SYSTEM_URL`): installation-level work across tenants. */
  readonly systemUrl: string;
  /** Drops the database, ending any connection still open to it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, uniquely named database on the test server and migrates it, so suites can run in
 * parallel without seeing each other's rows. Call in `beforeAll`, and `drop()` in `afterAll`.
 */
export async function createTestDatabase(options: {
  readonly migrate: MigrateDatabase;
  /** Appears in the database name, to tell leftovers apart. */
  readonly label?: string;
}): Promise<TestDatabase> {
  const label = (options.label ?? 'suite')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 20);
  const name = `envoy_fleet_test_${label}_${randomBytes(5).toString('hex')}`;
  await onServer(`CREATE DATABASE ${escapeIdentifier(name)}`);
  const drop = (): Promise<void> =>
    onServer(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`);
  const adminUrl = withDatabase(TEST_DATABASE_ADMIN_URL, name);
  try {
    const { roles } = await options.migrate(adminUrl);
    return {
      name,
      adminUrl,
      appUrl: withLogin(adminUrl, roles.app),
      systemUrl: withLogin(adminUrl, roles.system),
      drop,
    };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function withLogin(url: string, role: TestRoleLogin): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(role.name);
  parsed.password = role.password === null ? '' : encodeURIComponent(role.password);
  return parsed.toString();
}
