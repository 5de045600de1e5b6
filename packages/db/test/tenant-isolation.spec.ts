import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { DomainError } from '@envoy-fleet/domain';
import { type DataSource, QueryFailedError } from 'typeorm';
import {
  createDataSource,
  ProxyEntity,
  runMigrations,
  translateDatabaseError,
  withSystem,
  withTenant,
} from '../src';
import { seedTenant, type SeededTenant } from './fleet.fixture';

/** What TypeORM's postgres driver returns for UPDATE and DELETE: the rows and the affected count. */
type AffectedRows = [unknown[], number];

describe('row-level security', () => {
  let database: TestDatabase;
  let app: DataSource;
  let system: DataSource;
  let a: SeededTenant;
  let b: SeededTenant;

  const asTenantA = <T>(work: Parameters<typeof withTenant<T>>[2]): Promise<T> =>
    withTenant(app, { tenantId: a.tenantId, actor: 'user:alice' }, work);

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'rls' });
    // One connection, so a setting left behind by one transaction would be seen by the next.
    app = await createDataSource({ url: database.appUrl, poolSize: 1 }).initialize();
    system = await createDataSource({ url: database.systemUrl }).initialize();
    a = await seedTenant(system, 'tenant-a');
    b = await seedTenant(system, 'tenant-b');
  });

  afterAll(async () => {
    await app.destroy();
    await system.destroy();
    await database.drop();
  });

  it('connects as the app role, which is subject to RLS', async () => {
    const [role] = await app.query<{ name: string; rolsuper: boolean; rolbypassrls: boolean }[]>(
      `SELECT current_user AS name, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user`,
    );
    expect(role).toEqual({ name: 'envoy_fleet_app', rolsuper: false, rolbypassrls: false });
  });

  it('shows a tenant only its own rows, even to a handwritten SELECT *', async () => {
    const rows = await asTenantA((manager) => manager.query<{ id: string }[]>(`SELECT * FROM proxies`));
    expect(rows.map((row) => row.id)).toEqual([a.proxyId]);
    const tenants = await asTenantA((manager) => manager.query<{ id: string }[]>(`SELECT id FROM tenants`));
    expect(tenants).toEqual([{ id: a.tenantId }]);
    const viaOrm = await asTenantA((manager) => manager.find(ProxyEntity));
    expect(viaOrm.map((proxy) => proxy.tenantId)).toEqual([a.tenantId]);
    const byId = await asTenantA((manager) => manager.findOneBy(ProxyEntity, { id: b.proxyId }));
    expect(byId).toBeNull();
  });

  it("cannot update or delete another tenant's rows", async () => {
    const [, updated] = await asTenantA((manager) =>
      manager.query<AffectedRows>(`UPDATE proxies SET image = 'attacker/envoy' WHERE id = $1`, [b.proxyId]),
    );
    expect(updated).toBe(0);
    const [, deleted] = await asTenantA((manager) =>
      manager.query<AffectedRows>(`DELETE FROM proxies WHERE id = $1`, [b.proxyId]),
    );
    expect(deleted).toBe(0);
    const [, updatedAll] = await asTenantA((manager) =>
      manager.query<AffectedRows>(`UPDATE nodes SET zone = 'zone-a'`),
    );
    expect(updatedAll).toBe(1);

    const bRows = await withSystem(system, { actor: 'system:test' }, (manager) =>
      manager.query(
        `SELECT p.image, n.zone FROM proxies p JOIN nodes n ON n.id = p.vm_id WHERE p.tenant_id = $1`,
        [b.tenantId],
      ),
    );
    expect(bRows).toEqual([{ image: 'envoyproxy/envoy:v1.36.2', zone: null }]);
  });

  it('refuses to insert a row for another tenant', async () => {
    const attempt = asTenantA((manager) =>
      manager.query(`INSERT INTO proxy_groups (tenant_id, name) VALUES ($1, 'planted')`, [b.tenantId]),
    );
    await expect(attempt).rejects.toThrow(
      'new row violates row-level security policy for table "proxy_groups"',
    );
  });

  it('refuses to move a row to another tenant', async () => {
    const attempt = asTenantA((manager) =>
      manager.query(`UPDATE proxy_groups SET tenant_id = $1 WHERE id = $2`, [b.tenantId, a.groupId]),
    );
    await expect(attempt).rejects.toThrow(
      'new row violates row-level security policy for table "proxy_groups"',
    );
  });

  it("refuses a reference to another tenant's row, which RLS alone would not stop", async () => {
    const attempt = asTenantA((manager) =>
      manager.query(
        `INSERT INTO proxies (tenant_id, node_id, group_id, container_name, proxy_port, admin_port, image)
         VALUES ($1, 'sneaky', $2, 'envoy-proxy-edge-002', 10002, 20002, 'envoyproxy/envoy:v1.36.2')`,
        [a.tenantId, b.groupId],
      ),
    );
    await expect(attempt).rejects.toThrow('violates foreign key constraint "fk_proxies_tenant_id_group_id"');
    const translated = await attempt.catch(translateDatabaseError);
    expect(translated).toBeInstanceOf(DomainError);
    expect((translated as DomainError).code).toBe('VALIDATION_FAILED');
  });

  it('shows nothing and accepts nothing without a tenant', async () => {
    expect(await app.query(`SELECT * FROM proxies`)).toEqual([]);
    expect(await app.query(`SELECT * FROM tenants`)).toEqual([]);
    await expect(
      app.query(`INSERT INTO proxy_groups (tenant_id, name) VALUES ($1, 'orphan')`, [a.tenantId]),
    ).rejects.toThrow('new row violates row-level security policy');
  });

  it('does not leave the tenant set on the pooled connection after the transaction', async () => {
    await asTenantA((manager) => manager.query(`SELECT 1`));
    const [setting] = await app.query<{ value: string }[]>(
      `SELECT current_setting('app.tenant_id', true) AS value`,
    );
    expect(setting?.value).toBe('');
    expect(await app.query(`SELECT id FROM proxies`)).toEqual([]);
  });

  it('cannot switch to the system role or turn RLS off', async () => {
    await expect(asTenantA((manager) => manager.query(`SET ROLE envoy_fleet_system`))).rejects.toThrow(
      'permission denied to set role "envoy_fleet_system"',
    );
    await expect(
      asTenantA((manager) => manager.query(`ALTER TABLE proxies DISABLE ROW LEVEL SECURITY`)),
    ).rejects.toThrow('must be owner of table proxies');
    await expect(
      asTenantA((manager) => manager.query(`SET row_security = off; SELECT * FROM proxies`)),
    ).rejects.toThrow('query would be affected by row-level security policy for table "proxies"');
  });

  it('rejects a tenant id that is not a UUID before touching the database', async () => {
    await expect(
      withTenant(app, { tenantId: "' OR true --", actor: 'user:alice' }, () => Promise.resolve()),
    ).rejects.toThrow(new DomainError('VALIDATION_FAILED', `tenant id "' OR true --" is not a UUID`));
  });

  it('lets the system role work across tenants', async () => {
    const rows = await withSystem(system, { actor: 'system:fleet-manager' }, (manager) =>
      manager.find(ProxyEntity),
    );
    expect(rows.map((row) => row.id).sort()).toEqual([a.proxyId, b.proxyId].sort());
  });

  it('reports a database error other than a refusal unchanged', () => {
    const error = new QueryFailedError('SELECT 1', [], new Error('connection reset'));
    expect(translateDatabaseError(error)).toBe(error);
  });
});
