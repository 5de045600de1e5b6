import { escapeIdentifier, escapeLiteral } from 'pg';
import { type MigrationInterface, type QueryRunner } from 'typeorm';
import { type DatabaseRoles, type RoleCredentials } from '../database-roles';

/**
 * Tables whose rows belong to one tenant (`tenant_id`) when this migration was written; `tenants`
 * itself is keyed on `id`. Frozen: a later table gets its policies in its own migration.
 */
const TENANT_OWNED_TABLES = [
  'users',
  'api_keys',
  'role_bindings',
  'nodes',
  'proxy_groups',
  'proxies',
  'listeners',
  'route_configs',
  'clusters',
  'endpoints',
  'secrets',
  'configs',
  'config_versions',
  'config_bindings',
  'config_templates',
  'config_history',
  'rollouts',
  'webhook_subscriptions',
  'webhook_deliveries',
  'audit_log',
] as const;

/** Rows the product never changes once written. */
const APPEND_ONLY_TABLES = new Set<string>(['config_versions']);
const READ_ONLY_TABLES = new Set<string>(['audit_log']);

/**
 * Creates the app and system login roles (if absent), grants them what they need and nothing more,
 * and turns on row-level security keyed on `app.tenant_id` (see docs/adr/0002). The class is built
 * per role configuration because role names and passwords are deployment settings.
 */
export function tenantIsolationMigration(roles: DatabaseRoles): new () => MigrationInterface {
  const app = escapeIdentifier(roles.app.name);
  const system = escapeIdentifier(roles.system.name);

  return class TenantIsolation1795564860000 implements MigrationInterface {
    name = 'TenantIsolation1795564860000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(ensureLoginRole(roles.app));
      await queryRunner.query(ensureLoginRole(roles.system));
      await queryRunner.query(`
        CREATE FUNCTION app_current_tenant_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
          SELECT nullif(current_setting('app.tenant_id', true), '')::uuid
        $$;
        GRANT USAGE ON SCHEMA public TO ${app}, ${system};
      `);
      await queryRunner.query(grants(app, system));
      await queryRunner.query(policies(system));
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      // The roles stay: they are cluster-wide and other databases of the cluster may use them.
      await queryRunner.query(`
        ${[...TENANT_OWNED_TABLES, 'tenants'].map((table) => `ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;`).join('\n')}
        ${TENANT_OWNED_TABLES.map((table) => `DROP POLICY tenant_isolation ON ${table}; DROP POLICY system_access ON ${table};`).join('\n')}
        DROP POLICY tenant_isolation ON tenants; DROP POLICY system_access ON tenants;
        DROP POLICY audit_append ON audit_log;
        REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${app}, ${system};
        REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${app}, ${system};
        REVOKE USAGE ON SCHEMA public FROM ${app}, ${system};
        DROP FUNCTION app_current_tenant_id();
      `);
    }
  };
}

/**
 * CREATE ROLE cannot be made idempotent in plain SQL, and test suites migrate their own databases
 * concurrently against one cluster: losing that race is success. A role that exists but could
 * bypass RLS is refused rather than silently used. A configured password is (re)applied outside the
 * DO block, so that no password can break its quoting.
 */
function ensureLoginRole(role: RoleCredentials): string {
  const name = escapeIdentifier(role.name);
  const literal = escapeLiteral(role.name);
  const setPassword =
    role.password === null ? '' : `ALTER ROLE ${name} PASSWORD ${escapeLiteral(role.password)};`;
  return `
    DO $ensure_role$
    BEGIN
      BEGIN
        CREATE ROLE ${name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL;
      END;
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${literal} AND (rolsuper OR rolbypassrls OR NOT rolcanlogin)) THEN
        RAISE EXCEPTION 'role % exists but is a superuser, has BYPASSRLS or cannot log in: it cannot serve as a tenant-isolated role', ${literal};
      END IF;
      IF ${literal} = current_user THEN
        RAISE EXCEPTION 'role % runs the migrations and owns the tables, which bypasses row-level security; migrate as a separate admin role', current_user;
      END IF;
    END
    $ensure_role$;
    ${setPassword}
  `;
}

function grants(app: string, system: string): string {
  const statements = TENANT_OWNED_TABLES.map((table) => {
    const privileges = READ_ONLY_TABLES.has(table)
      ? 'SELECT'
      : APPEND_ONLY_TABLES.has(table)
        ? 'SELECT, INSERT'
        : 'SELECT, INSERT, UPDATE, DELETE';
    return `GRANT ${privileges} ON ${table} TO ${app}, ${system};`;
  });
  return `
    ${statements.join('\n')}
    -- Tenants are created and deleted by installation-level operations only.
    GRANT SELECT, UPDATE ON tenants TO ${app};
    GRANT SELECT, INSERT, UPDATE, DELETE ON tenants TO ${system};
    -- The outbox: everyone appends; only the relay (system) marks rows published and prunes them.
    GRANT SELECT, INSERT ON outbox TO ${app}, ${system};
    GRANT USAGE ON SEQUENCE outbox_id_seq TO ${app}, ${system};
    GRANT UPDATE (published_at), DELETE ON outbox TO ${system};
  `;
}

function policies(system: string): string {
  const tenantOwned = TENANT_OWNED_TABLES.map(
    (table) => `
      ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
      CREATE POLICY tenant_isolation ON ${table}
        USING (tenant_id = app_current_tenant_id()) WITH CHECK (tenant_id = app_current_tenant_id());
      CREATE POLICY system_access ON ${table} TO ${system} USING (true) WITH CHECK (true);`,
  );
  return `
    ${tenantOwned.join('\n')}
    ALTER TABLE tenants ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
    CREATE POLICY tenant_isolation ON tenants
      USING (id = app_current_tenant_id()) WITH CHECK (id = app_current_tenant_id());
    CREATE POLICY system_access ON tenants TO ${system} USING (true) WITH CHECK (true);
    -- Audit rows are inserted by the SECURITY DEFINER trigger as the table owner, for any tenant; no
    -- other role holds the INSERT privilege this policy would apply to.
    CREATE POLICY audit_append ON audit_log FOR INSERT WITH CHECK (true);
  `;
}
