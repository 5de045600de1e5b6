import { createHash, randomUUID } from 'node:crypto';
import { createEvent, DomainError, emptyConfigDocument, configDocumentHashInput } from '@envoy-fleet/domain';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { Client, type Notification } from 'pg';
import { type DataSource } from 'typeorm';
import {
  appendEvents,
  AuditLogEntity,
  ConfigEntity,
  ConfigVersionEntity,
  createDataSource,
  NodeEntity,
  OutboxEntity,
  outboxRowToEvent,
  ProxyEntity,
  ProxyGroupEntity,
  runMigrations,
  SecretEntity,
  selectAsTenant,
  translateDatabaseError,
  updateVersioned,
  withSystem,
  withTenant,
} from '../src';
import { seedTenant, type SeededTenant } from './fleet.fixture';

describe('unit of work', () => {
  let database: TestDatabase;
  let app: DataSource;
  let system: DataSource;
  let admin: DataSource;
  let a: SeededTenant;
  let b: SeededTenant;

  const asTenantA = <T>(work: Parameters<typeof withTenant<T>>[2]): Promise<T> =>
    withTenant(app, { tenantId: a.tenantId, actor: 'user:alice' }, work);

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'unit-of-work' });
    app = await createDataSource({ url: database.appUrl }).initialize();
    system = await createDataSource({ url: database.systemUrl }).initialize();
    admin = await createDataSource({ url: database.adminUrl }).initialize();
    a = await seedTenant(system, 'tenant-a');
    b = await seedTenant(system, 'tenant-b');
  });

  afterAll(async () => {
    await Promise.all([app.destroy(), system.destroy(), admin.destroy()]);
    await database.drop();
  });

  describe('optimistic locking', () => {
    it('applies an update made at the current version and bumps the version', async () => {
      const before = await asTenantA((manager) =>
        manager.findOneByOrFail(ProxyGroupEntity, { id: a.groupId }),
      );
      const after = await asTenantA((manager) =>
        updateVersioned(manager, ProxyGroupEntity, a.groupId, before.version, {
          description: 'edge proxies',
        }),
      );
      expect(after.description).toBe('edge proxies');
      expect(after.version).toBe(before.version + 1);
      expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
    });

    it('rejects an update made at a stale version', async () => {
      const current = await asTenantA((manager) =>
        manager.findOneByOrFail(ProxyGroupEntity, { id: a.groupId }),
      );
      await asTenantA((manager) =>
        updateVersioned(manager, ProxyGroupEntity, a.groupId, current.version, { desiredReplicas: 3 }),
      );
      await expect(
        asTenantA((manager) =>
          updateVersioned(manager, ProxyGroupEntity, a.groupId, current.version, { desiredReplicas: 5 }),
        ),
      ).rejects.toThrow(DomainError.staleVersion('proxy_groups', a.groupId, current.version));
      const stored = await asTenantA((manager) =>
        manager.findOneByOrFail(ProxyGroupEntity, { id: a.groupId }),
      );
      expect(stored.desiredReplicas).toBe(3);
    });

    it("reports another tenant's row as not found", async () => {
      await expect(
        asTenantA((manager) =>
          updateVersioned(manager, ProxyGroupEntity, b.groupId, 1, { description: 'mine now' }),
        ),
      ).rejects.toThrow(DomainError.notFound('proxy_groups', b.groupId));
    });

    it('bumps the version on every owned change, including raw SQL and ORM saves', async () => {
      const read = (): Promise<ProxyEntity> =>
        asTenantA((manager) => manager.findOneByOrFail(ProxyEntity, { id: a.proxyId }));
      const start = await read();
      await asTenantA((manager) =>
        manager.query(`UPDATE proxies SET image = 'envoyproxy/envoy:v1.31.0' WHERE id = $1`, [a.proxyId]),
      );
      expect((await read()).version).toBe(start.version + 1);
      const saved = await asTenantA((manager) =>
        manager.save(ProxyEntity, { ...start, labels: { tier: 'edge' } }),
      );
      expect(saved.version).toBe(start.version + 2);
      expect((await read()).version).toBe(start.version + 2);
    });

    it('keeps the version of proxies and nodes when only observed state changes', async () => {
      const proxy = (): Promise<ProxyEntity> =>
        asTenantA((manager) => manager.findOneByOrFail(ProxyEntity, { id: a.proxyId }));
      const node = (): Promise<NodeEntity> =>
        asTenantA((manager) => manager.findOneByOrFail(NodeEntity, { id: a.vmId }));
      const [proxyBefore, nodeBefore] = [await proxy(), await node()];
      await withSystem(system, { actor: 'system:fleet-manager' }, async (manager) => {
        await manager.query(
          `UPDATE proxies SET status = 'running', health = 'healthy', listener_sync_status = 'SYNCED',
             xds_connected = true, xds_replica = 'xds-1', xds_connection_changed_at = now(),
             last_seen_at = now(), drift = '[]'::jsonb, drift_observed_at = now()
           WHERE id = $1`,
          [a.proxyId],
        );
        await manager.query(
          `UPDATE nodes SET status = 'ready', last_heartbeat_at = now(), agent_version = '1.2.3' WHERE id = $1`,
          [a.vmId],
        );
      });
      const [proxyAfter, nodeAfter] = [await proxy(), await node()];
      expect(proxyAfter).toMatchObject({ status: 'running', health: 'healthy', xdsConnected: true });
      expect([proxyAfter.version, proxyAfter.updatedAt]).toEqual([
        proxyBefore.version,
        proxyBefore.updatedAt,
      ]);
      expect(nodeAfter.status).toBe('ready');
      expect([nodeAfter.version, nodeAfter.updatedAt]).toEqual([nodeBefore.version, nodeBefore.updatedAt]);

      await withSystem(system, { actor: 'system:fleet-manager' }, (manager) =>
        manager.query(`UPDATE proxies SET health = 'unhealthy', proxy_port = proxy_port + 1 WHERE id = $1`, [
          a.proxyId,
        ]),
      );
      expect((await proxy()).version).toBe(proxyBefore.version + 1);

      await asTenantA((manager) =>
        manager.query(`UPDATE nodes SET status = 'draining' WHERE id = $1`, [a.vmId]),
      );
      expect((await node()).version).toBe(nodeBefore.version + 1);
    });
  });

  describe('settings', () => {
    it('opens the transaction with the tenant and the actor as given, quotes and backslashes included', async () => {
      const actor = `user:o'brien\\'); SELECT 1; --`;
      const settings = await withTenant(app, { tenantId: a.tenantId, actor }, (manager) =>
        manager.query<{ tenant: string; actor: string }[]>(
          `SELECT current_setting('app.tenant_id') AS tenant, current_setting('app.actor') AS actor`,
        ),
      );
      expect(settings).toEqual([{ tenant: a.tenantId, actor }]);
      const after = await app.query<{ tenant: string | null }[]>(
        `SELECT current_setting('app.tenant_id', true) AS tenant`,
      );
      expect(after[0]?.tenant ?? '').toBe('');
    });
  });

  describe('a select in one round trip', () => {
    it("reads only the tenant's rows, as entities, with parameters quoted as literals", async () => {
      const query = (nodeIds: string[]) =>
        app.manager
          .getRepository(ProxyEntity)
          .createQueryBuilder('proxy')
          .where('proxy.node_id = ANY(:nodeIds) OR proxy.node_id = :odd', { nodeIds, odd: "it's $1 \\" });

      const mine = await selectAsTenant(
        app,
        { tenantId: a.tenantId, actor: 'user:alice' },
        query([a.nodeId, b.nodeId]),
      );

      expect(mine.map((proxy) => proxy.id)).toEqual([a.proxyId]);
      expect(mine[0]).toBeInstanceOf(ProxyEntity);
      expect(mine[0]?.createdAt).toBeInstanceOf(Date);
    });

    it('rolls a failed select back, so the connection serves the next transaction', async () => {
      const single = await createDataSource({ url: database.appUrl, poolSize: 1 }).initialize();
      try {
        const failing = single.manager
          .getRepository(ProxyEntity)
          .createQueryBuilder('proxy')
          .where('proxy.proxy_port = :port::integer', { port: 'not a number' });
        await expect(
          selectAsTenant(single, { tenantId: a.tenantId, actor: 'user:alice' }, failing),
        ).rejects.toThrow('invalid input syntax for type integer');
        const count = await withTenant(single, { tenantId: a.tenantId, actor: 'user:alice' }, (manager) =>
          manager.count(ProxyEntity),
        );
        expect(count).toBe(1);
      } finally {
        await single.destroy();
      }
    });
  });

  describe('audit log', () => {
    it('records inserts, updates and deletes with the actor and both images', async () => {
      const group = await asTenantA((manager) =>
        manager.save(manager.create(ProxyGroupEntity, { tenantId: a.tenantId, name: 'audited' })),
      );
      await asTenantA((manager) =>
        updateVersioned(manager, ProxyGroupEntity, group.id, 1, { description: 'changed' }),
      );
      await withTenant(app, { tenantId: a.tenantId, actor: 'api_key:ci' }, (manager) =>
        manager.delete(ProxyGroupEntity, { id: group.id }),
      );

      const entries = await asTenantA((manager) =>
        manager.find(AuditLogEntity, {
          where: { rowId: group.id },
          order: { createdAt: 'ASC', action: 'ASC' },
        }),
      );
      expect(entries.map((entry) => [entry.action, entry.actor, entry.tableName, entry.tenantId])).toEqual([
        ['insert', 'user:alice', 'proxy_groups', a.tenantId],
        ['update', 'user:alice', 'proxy_groups', a.tenantId],
        ['delete', 'api_key:ci', 'proxy_groups', a.tenantId],
      ]);
      const [insert, update, remove] = entries;
      expect(insert?.before).toBeNull();
      expect(insert?.after).toMatchObject({ name: 'audited', description: '', version: 1 });
      expect(update?.before).toMatchObject({ description: '', version: 1 });
      expect(update?.after).toMatchObject({ description: 'changed', version: 2 });
      expect(remove?.before).toMatchObject({ description: 'changed' });
      expect(remove?.after).toBeNull();
    });

    it('masks secret material', async () => {
      const body = {
        name: 'tls',
        tls_certificate: { private_key: { inline_string: '-----BEGIN PRIVATE KEY-----' } },
      };
      const secret = await asTenantA(async (manager) => {
        const config = await manager.save(
          manager.create(ConfigEntity, { tenantId: a.tenantId, name: 'with-secret' }),
        );
        return manager.save(
          manager.create(SecretEntity, { tenantId: a.tenantId, configId: config.id, name: 'tls', body }),
        );
      });
      const [entry] = await asTenantA((manager) => manager.findBy(AuditLogEntity, { rowId: secret.id }));
      expect(entry?.after).toMatchObject({ name: 'tls', body: '[masked]' });
      expect(JSON.stringify(entry)).not.toContain('PRIVATE KEY');
    });

    it('shows a tenant only its own trail', async () => {
      const tenants = await asTenantA((manager) =>
        manager
          .createQueryBuilder(AuditLogEntity, 'entry')
          .select('DISTINCT entry.tenant_id', 'tenantId')
          .getRawMany(),
      );
      expect(tenants).toEqual([{ tenantId: a.tenantId }]);
    });

    it('cannot be written, changed or erased by the app role', async () => {
      await expect(
        asTenantA((manager) =>
          manager.query(
            `INSERT INTO audit_log (tenant_id, table_name, row_id, action, actor, after) VALUES ($1, 'proxies', $2, 'insert', 'forged', '{}')`,
            [a.tenantId, a.proxyId],
          ),
        ),
      ).rejects.toThrow('permission denied for table audit_log');
      await expect(
        asTenantA((manager) => manager.query(`UPDATE audit_log SET actor = 'nobody'`)),
      ).rejects.toThrow('permission denied for table audit_log');
      await expect(asTenantA((manager) => manager.query(`DELETE FROM audit_log`))).rejects.toThrow(
        'permission denied for table audit_log',
      );
      await expect(admin.query(`DELETE FROM audit_log`)).rejects.toThrow(
        'rows of audit_log are immutable: DELETE refused',
      );
    });
  });

  describe('config versions', () => {
    it('cannot be updated, by the app role or even by the owner', async () => {
      const document = emptyConfigDocument();
      const version = await asTenantA(async (manager) => {
        const config = await manager.save(
          manager.create(ConfigEntity, { tenantId: a.tenantId, name: 'immutable' }),
        );
        return manager.save(
          manager.create(ConfigVersionEntity, {
            tenantId: a.tenantId,
            configId: config.id,
            number: 1,
            contentHash: createHash('sha256').update(configDocumentHashInput(document)).digest('hex'),
            document,
            author: 'user:alice',
          }),
        );
      });
      const attempt = asTenantA((manager) =>
        manager.query(`UPDATE config_versions SET message = 'rewritten' WHERE id = $1`, [version.id]),
      );
      await expect(attempt).rejects.toThrow('permission denied for table config_versions');
      expect((await attempt.catch(translateDatabaseError)) as DomainError).toMatchObject({
        code: 'PERMISSION_DENIED',
      });
      const asOwner = admin.query(`UPDATE config_versions SET message = 'rewritten' WHERE id = $1`, [
        version.id,
      ]);
      await expect(asOwner).rejects.toThrow('rows of config_versions are immutable: UPDATE refused');
      expect((await asOwner.catch(translateDatabaseError)) as DomainError).toMatchObject({
        code: 'INVALID_STATE',
      });
    });

    it('are numbered uniquely per config', async () => {
      const insertVersion = (configId: string) =>
        asTenantA((manager) =>
          manager.insert(ConfigVersionEntity, {
            tenantId: a.tenantId,
            configId,
            number: 1,
            contentHash: 'a'.repeat(64),
            document: emptyConfigDocument(),
            author: 'user:alice',
          }),
        );
      const config = await asTenantA((manager) =>
        manager.save(manager.create(ConfigEntity, { tenantId: a.tenantId, name: 'numbered' })),
      );
      await insertVersion(config.id);
      const duplicate = await insertVersion(config.id).catch(translateDatabaseError);
      expect(duplicate).toMatchObject({
        code: 'ALREADY_EXISTS',
        details: { constraint: 'uq_config_versions_config_id_number' },
      });
    });
  });

  describe('proxy groups', () => {
    it('refuse a parent that would make a group its own ancestor', async () => {
      const child = await asTenantA((manager) =>
        manager.save(
          manager.create(ProxyGroupEntity, { tenantId: a.tenantId, name: 'edge-eu', parentId: a.groupId }),
        ),
      );
      const attempt = asTenantA((manager) =>
        manager.query(`UPDATE proxy_groups SET parent_id = $1 WHERE id = $2`, [child.id, a.groupId]),
      );
      await expect(attempt).rejects.toThrow('it would become its own ancestor');
      expect((await attempt.catch(translateDatabaseError)) as DomainError).toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });
  });

  describe('outbox', () => {
    const groupChanged = (name: string) =>
      createEvent('group.changed', {
        id: randomUUID(),
        tenantId: a.tenantId,
        aggregateId: a.groupId,
        payload: { groupId: a.groupId, name, change: 'updated' },
      });

    it('stores events with their catalogue subject in the caller transaction, and notifies the relay on commit', async () => {
      const listener = new Client({ connectionString: database.systemUrl });
      await listener.connect();
      try {
        const notified = new Promise<Notification>((resolve) => listener.once('notification', resolve));
        await listener.query('LISTEN outbox');
        const event = groupChanged('edge');
        await asTenantA((manager) =>
          appendEvents(manager, [event], { headers: { traceparent: '00-abc-def-01' } }),
        );
        expect((await notified).channel).toBe('outbox');

        const row = await withSystem(system, { actor: 'system:outbox-relay' }, (manager) =>
          manager.findOneByOrFail(OutboxEntity, { eventId: event.id }),
        );
        expect(row).toMatchObject({
          type: 'group.changed',
          subject: 'events.group.changed',
          tenantId: a.tenantId,
          aggregateId: a.groupId,
          headers: { traceparent: '00-abc-def-01', 'Schema-Version': '1' },
          publishedAt: null,
        });
        expect(outboxRowToEvent(row)).toEqual(event);
      } finally {
        await listener.end();
      }
    });

    it('keeps nothing when the transaction rolls back', async () => {
      const event = groupChanged('rolled-back');
      await expect(
        asTenantA(async (manager) => {
          await appendEvents(manager, [event]);
          throw new Error('business rule failed');
        }),
      ).rejects.toThrow('business rule failed');
      const rows = await withSystem(system, { actor: 'system:outbox-relay' }, (manager) =>
        manager.findBy(OutboxEntity, { eventId: event.id }),
      );
      expect(rows).toEqual([]);
    });

    it('refuses broadcast events, which are never replayed', async () => {
      const snapshot = createEvent('snapshot.updated', {
        id: randomUUID(),
        tenantId: null,
        aggregateId: 'serving-key',
        payload: { servingKeys: ['k'] },
      });
      await expect(asTenantA((manager) => appendEvents(manager, [snapshot]))).rejects.toThrow(
        'event snapshot.updated is delivered by broadcast, not through the outbox',
      );
    });

    it('lets only the system role mark rows published', async () => {
      await expect(
        asTenantA((manager) => manager.query(`UPDATE outbox SET published_at = now()`)),
      ).rejects.toThrow('permission denied for table outbox');
      const [, marked] = await withSystem(system, { actor: 'system:outbox-relay' }, (manager) =>
        manager.query<[unknown[], number]>(
          `UPDATE outbox SET published_at = now() WHERE published_at IS NULL`,
        ),
      );
      expect(marked).toBeGreaterThan(0);
      await expect(
        withSystem(system, { actor: 'system:outbox-relay' }, (manager) =>
          manager.query(`UPDATE outbox SET payload = '{}'`),
        ),
      ).rejects.toThrow('permission denied for table outbox');
    });
  });
});
