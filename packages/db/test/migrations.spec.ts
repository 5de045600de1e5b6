import { randomBytes } from 'node:crypto';
import {
  createTestDatabase,
  TEST_DATABASE_ADMIN_URL,
  type TestDatabase,
} from '@envoy-fleet/test-kit/database';
import { Client } from 'pg';
import { DEFAULT_DATABASE_ROLES, revertMigrations, runMigrations, TENANT_OWNED_TABLES } from '../src';

const ALL_TABLES = [
  'api_keys',
  'audit_log',
  'clusters',
  'config_bindings',
  'config_history',
  'config_templates',
  'config_versions',
  'configs',
  'endpoints',
  'idempotency_keys',
  'listeners',
  'nodes',
  'outbox',
  'proxies',
  'proxy_groups',
  'role_bindings',
  'rollouts',
  'route_configs',
  'schema_migrations',
  'secrets',
  'tenants',
  'users',
  'webhook_deliveries',
  'webhook_subscriptions',
];

async function query<T>(url: string, sql: string, parameters: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, parameters)).rows as T[];
  } finally {
    await client.end();
  }
}

const tables = async (url: string): Promise<string[]> =>
  (
    await query<{ tablename: string }>(
      url,
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    )
  ).map((row) => row.tablename);

describe('migrations', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'migrations' });
  });

  afterAll(async () => {
    await database.drop();
  });

  it('create every table of the data model', async () => {
    expect(await tables(database.adminUrl)).toEqual(ALL_TABLES);
  });

  it('apply nothing when the schema is current', async () => {
    expect((await runMigrations(database.adminUrl)).migrations).toEqual([]);
  });

  it('roll back to an empty schema and apply again', async () => {
    const reverted = await revertMigrations(database.adminUrl, { all: true });
    expect(reverted.migrations).toEqual([
      'WebhookDuePerSubscription1795566600001',
      'WebhookDeliveryQueue1795566600000',
      'ObservedStateKeepsVersion1795566400000',
      'ProxyHealthSignals1795566300001',
      'ConfigHistoryRelease1795566300000',
      'ProxyCommandDue1795565800000',
      'ProxyDrift1795565700000',
      'RolloutProgress1795565600000',
      'ProxyConfigRejection1795565400000',
      'RollingImageUpdate1795565300001',
      'FleetScheduling1795565300000',
      'ProxyDeliveryStatus1795565100000',
      'IdempotencyKeys1795565000000',
      'AuditLog1795564920000',
      'TenantIsolation1795564860000',
      'DataModel1795564800000',
    ]);
    expect(await tables(database.adminUrl)).toEqual(['schema_migrations']);
    const leftovers = await query<{ name: string }>(
      database.adminUrl,
      `SELECT proname AS name FROM pg_proc WHERE pronamespace = 'public'::regnamespace
       UNION ALL SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typname <> 'schema_migrations' AND typname NOT LIKE '\\_%'
       UNION ALL SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname NOT LIKE 'schema_migrations%' AND relname NOT LIKE 'pk_schema_migrations%'`,
    );
    expect(leftovers).toEqual([]);

    const applied = await runMigrations(database.adminUrl);
    expect(applied.migrations).toEqual([
      'DataModel1795564800000',
      'TenantIsolation1795564860000',
      'AuditLog1795564920000',
      'IdempotencyKeys1795565000000',
      'ProxyDeliveryStatus1795565100000',
      'FleetScheduling1795565300000',
      'RollingImageUpdate1795565300001',
      'ProxyConfigRejection1795565400000',
      'RolloutProgress1795565600000',
      'ProxyDrift1795565700000',
      'ProxyCommandDue1795565800000',
      'ConfigHistoryRelease1795566300000',
      'ProxyHealthSignals1795566300001',
      'ObservedStateKeepsVersion1795566400000',
      'WebhookDeliveryQueue1795566600000',
      'WebhookDuePerSubscription1795566600001',
    ]);
    expect(await tables(database.adminUrl)).toEqual(ALL_TABLES);
  });

  it('enable and force row-level security on every tenant-owned table and on tenants, but not on the outbox', async () => {
    const rows = await query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      database.adminUrl,
      `SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
       WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' AND relname <> 'schema_migrations'`,
    );
    const secured = rows
      .filter((row) => row.relrowsecurity && row.relforcerowsecurity)
      .map((row) => row.relname);
    expect(secured.sort()).toEqual([...TENANT_OWNED_TABLES, 'tenants'].sort());
    expect(rows.find((row) => row.relname === 'outbox')?.relrowsecurity).toBe(false);
  });

  it('create app and system roles that are neither superusers, nor exempt from RLS, nor table owners', async () => {
    const roles = await query<{
      rolname: string;
      rolsuper: boolean;
      rolbypassrls: boolean;
      rolcanlogin: boolean;
    }>(
      database.adminUrl,
      `SELECT rolname, rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [[DEFAULT_DATABASE_ROLES.app.name, DEFAULT_DATABASE_ROLES.system.name]],
    );
    expect(roles).toEqual([
      { rolname: 'envoy_fleet_app', rolsuper: false, rolbypassrls: false, rolcanlogin: true },
      { rolname: 'envoy_fleet_system', rolsuper: false, rolbypassrls: false, rolcanlogin: true },
    ]);
    const owners = await query<{ tableowner: string }>(
      database.adminUrl,
      `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`,
    );
    expect(owners.map((row) => row.tableowner)).not.toContain('envoy_fleet_app');
    expect(owners.map((row) => row.tableowner)).not.toContain('envoy_fleet_system');
  });

  it('grant the app role no way to change config versions or the audit log, and no way to publish outbox rows', async () => {
    const privileges = await query<{ table: string; privilege: string; granted: boolean }>(
      database.adminUrl,
      `SELECT t AS table, p AS privilege, has_table_privilege('envoy_fleet_app', t, p) AS granted
       FROM unnest(ARRAY['config_versions', 'audit_log', 'outbox', 'tenants']) t,
            unnest(ARRAY['INSERT', 'UPDATE', 'DELETE']) p ORDER BY t, p`,
    );
    expect(privileges.filter((row) => row.granted).map((row) => `${row.table}:${row.privilege}`)).toEqual([
      'config_versions:INSERT',
      'outbox:INSERT',
      'tenants:UPDATE',
    ]);
  });

  it('refuse a role configuration under which RLS would not apply', async () => {
    const owner = new URL(database.adminUrl).username;
    const migrateAsOwner = (adminUrl: string) =>
      runMigrations(adminUrl, {
        roles: { app: { name: owner, password: null }, system: DEFAULT_DATABASE_ROLES.system },
      });
    await expect(createTestDatabase({ migrate: migrateAsOwner, label: 'bad-roles' })).rejects.toThrow(
      `role ${owner} exists but is a superuser, has BYPASSRLS or cannot log in`,
    );
  });
});

describe('migrations run by an owner that is not a superuser', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `envoy_fleet_test_owner_${suffix}`;
  const name = `envoy_fleet_test_owner_db_${suffix}`;
  const serverUrl = TEST_DATABASE_ADMIN_URL;
  let ownerUrl: string;

  beforeAll(async () => {
    await query(serverUrl, `CREATE ROLE ${owner} LOGIN CREATEROLE`);
    await query(serverUrl, `CREATE DATABASE ${name} OWNER ${owner}`);
    const url = new URL(serverUrl);
    url.username = owner;
    url.password = '';
    url.pathname = `/${name}`;
    ownerUrl = url.toString();
    await runMigrations(ownerUrl);
  });

  afterAll(async () => {
    await query(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await query(serverUrl, `DROP ROLE IF EXISTS ${owner}`);
  });

  it('still isolate tenants from the owner itself and still write the audit log', async () => {
    const client = new Client({ connectionString: ownerUrl });
    await client.connect();
    try {
      const tenant = (await client.query<{ id: string }>(`SELECT gen_random_uuid() AS id`)).rows[0]!.id;
      await client.query('BEGIN');
      await client.query(
        `SELECT set_config('app.tenant_id', $1, true), set_config('app.actor', 'user:owner', true)`,
        [tenant],
      );
      await client.query(`INSERT INTO tenants (id, name, display_name) VALUES ($1, 'owned', 'Owned')`, [
        tenant,
      ]);
      await client.query('COMMIT');
      // FORCE ROW LEVEL SECURITY: without a tenant, the owner sees nothing either.
      expect((await client.query(`SELECT id FROM tenants`)).rows).toEqual([]);
      await client.query('BEGIN');
      await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
      const audit = await client.query(`SELECT table_name, action, actor FROM audit_log`);
      await client.query('COMMIT');
      expect(audit.rows).toEqual([{ table_name: 'tenants', action: 'insert', actor: 'user:owner' }]);
    } finally {
      await client.end();
    }
  });
});
