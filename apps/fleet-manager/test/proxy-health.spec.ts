import { randomUUID } from 'node:crypto';
import { NodeEntity, ProxyEntity, ProxyGroupEntity, TenantEntity, withSystem } from '@envoy-fleet/db';
import { createEvent, type ContainerHealth } from '@envoy-fleet/domain';
import { type RunningApp } from '@envoy-fleet/telemetry';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { TEST_REDIS_URL } from '@envoy-fleet/test-kit/redis';
import { type EntityManager } from 'typeorm';
import { bootstrap } from '../src/bootstrap';
import { eventually } from './fleet-agents';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

const HOUR_MS = 3_600_000;
const GRACE_MS = 1_000;

/**
 * The health monitor combines what an agent reports (container state, admin `/ready`), the xDS
 * connection xds-server reports and the VM's heartbeats into the proxy's health, on fleet-manager run
 * against PostgreSQL and NATS: reports go over JetStream as the agent and xds-server send them. Instants
 * are set far apart (hours against a grace period of a second), so no outcome depends on timing.
 */
describe('proxy health', () => {
  let services: SnapshotServices;
  let replica: RunningApp;
  let tenantId: string;
  let vmId: string;
  let proxyId: string;

  const write = <T>(work: (manager: EntityManager) => Promise<T>) =>
    withSystem(services.systemDataSource, { actor: 'test:proxy-health' }, work);
  const proxy = () => write((manager) => manager.findOneByOrFail(ProxyEntity, { id: proxyId }));
  const healthWhen = (what: string, done: (current: ProxyEntity) => boolean) =>
    eventually(what, async () => {
      const current = await proxy();
      return done(current) ? current : undefined;
    });
  const heartbeat = (health: ContainerHealth) =>
    services.bus.publish(
      createEvent('agent.heartbeat', {
        id: randomUUID(),
        tenantId: null,
        aggregateId: vmId,
        payload: {
          nodeId: vmId,
          sentAt: new Date().toISOString(),
          dockerReachable: true,
          host: { cpuMillicores: 100, memoryUsedMib: 512, memoryTotalMib: 8192, loadAverage1m: 0.1 },
          containers: [
            {
              containerId: 'container-1',
              containerName: 'envoy-proxy-edge-001',
              proxyId,
              state: 'running',
              status: 'running',
              health,
              image: 'envoyproxy/envoy:v1.36.2',
              usage: null,
            },
          ],
        },
      }),
    );
  /** What xds-server reports when a stream of the proxy opens or closes, at `occurredAt`. */
  const connection = (type: 'proxy.connected' | 'proxy.disconnected', occurredAt: Date) =>
    services.bus.publish(
      createEvent(type, {
        id: randomUUID(),
        tenantId,
        aggregateId: 'edge-1',
        occurredAt,
        payload: { nodeId: 'edge-1', xdsReplica: 'xds-a' },
      }),
    );
  const healthEvents = () =>
    write((manager) =>
      manager.query<{ health: string }[]>(
        `SELECT payload->>'health' AS health FROM outbox
         WHERE type = 'proxy.health.changed' AND aggregate_id = $1 ORDER BY id`,
        [proxyId],
      ),
    );

  beforeAll(async () => {
    services = await openSnapshotServices('proxy-health');
    const owner = await write((manager) =>
      manager.save(manager.create(TenantEntity, { name: `t-${services.namespace}`, displayName: 'health' })),
    );
    tenantId = owner.id;
    const node = await write((manager) =>
      manager.save(
        manager.create(NodeEntity, {
          tenantId,
          hostname: 'vm-1',
          zone: 'a',
          cpuMillicores: 8000,
          memoryMib: 16384,
          proxyPortRangeStart: 10000,
          proxyPortRangeEnd: 10049,
          adminPortRangeStart: 20000,
          adminPortRangeEnd: 20049,
          status: 'ready',
          lastHeartbeatAt: new Date(),
        }),
      ),
    );
    vmId = node.id;
    const group = await write((manager) =>
      manager.save(manager.create(ProxyGroupEntity, { tenantId, name: 'edge' })),
    );
    const created = await write((manager) =>
      manager.save(
        manager.create(ProxyEntity, {
          tenantId,
          nodeId: 'edge-1',
          groupId: group.id,
          vmId,
          containerName: 'envoy-proxy-edge-001',
          proxyPort: 10000,
          adminPort: 20000,
          image: 'envoyproxy/envoy:v1.36.2',
          status: 'starting',
        }),
      ),
    );
    proxyId = created.id;
    // Created an hour ago: a proxy that never connected is past the grace period.
    await write((manager) =>
      manager.query(`UPDATE proxies SET created_at = now() - interval '1 hour' WHERE id = $1`, [proxyId]),
    );
    replica = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        DATABASE_URL: services.database.appUrl,
        DATABASE_SYSTEM_URL: services.database.systemUrl,
        NATS_URL: TEST_NATS_URL,
        NATS_NAMESPACE: services.namespace,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: services.redisPrefix,
        FLEET_HEALTH_INTERVAL_MS: '100',
        FLEET_NODE_HEARTBEAT_TIMEOUT_MS: String(HOUR_MS),
        FLEET_XDS_DISCONNECT_GRACE_MS: String(GRACE_MS),
      },
    });
  }, 60_000);

  afterAll(async () => {
    await replica?.close();
    await services?.dispose();
  });

  it('is unhealthy while a ready container never connected over xDS, healthy once it does', async () => {
    await heartbeat('healthy');
    const unconnected = await healthWhen('the probe applied', (current) => current.ready === true);
    await connection('proxy.connected', new Date(Date.now() - 2 * HOUR_MS));
    const connected = await healthWhen('healthy', (current) => current.health === 'healthy');

    expect(unconnected).toMatchObject({
      status: 'running',
      health: 'unhealthy',
      healthReasons: [`never connected to xDS within ${GRACE_MS} ms`],
    });
    expect(connected.healthReasons).toEqual([]);
  });

  it('is unhealthy once a disconnect outlasts the grace period, and healthy again after a reconnect', async () => {
    await connection('proxy.disconnected', new Date(Date.now() - HOUR_MS));
    const disconnected = await healthWhen('unhealthy', (current) => current.health === 'unhealthy');
    await connection('proxy.connected', new Date());
    await healthWhen('healthy again', (current) => current.health === 'healthy');

    expect(disconnected.healthReasons).toEqual([`xDS disconnected for longer than ${GRACE_MS} ms`]);
  });

  it('is unhealthy when admin /ready fails, and unknown once its VM misses its heartbeats', async () => {
    await heartbeat('unhealthy');
    const failing = await healthWhen('unhealthy', (current) => current.health === 'unhealthy');
    await write((manager) =>
      manager.query(`UPDATE nodes SET last_heartbeat_at = now() - interval '2 hours' WHERE id = $1`, [vmId]),
    );
    const silent = await healthWhen('unknown', (current) => current.health === 'unknown');

    expect(failing.healthReasons).toEqual(['admin /ready fails']);
    expect(silent).toMatchObject({ status: 'unknown', ready: null });
    expect(silent.healthReasons).toEqual([
      'its VM is not_ready: the node agent missed its heartbeats',
      'container unknown',
      'admin /ready not probed yet',
    ]);
    expect(await healthEvents()).toEqual([
      { health: 'unhealthy' },
      { health: 'healthy' },
      { health: 'unhealthy' },
      { health: 'healthy' },
      { health: 'unhealthy' },
      { health: 'unknown' },
    ]);
  });
});
