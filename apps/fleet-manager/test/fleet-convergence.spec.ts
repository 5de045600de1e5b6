import { randomUUID } from 'node:crypto';
import {
  createDataSource,
  NodeEntity,
  ProxyEntity,
  ProxyGroupEntity,
  runMigrations,
  TenantEntity,
  withSystem,
} from '@envoy-fleet/db';
import { JetStreamEventBus, silentLogger } from '@envoy-fleet/messaging';
import { type RunningApp } from '@envoy-fleet/telemetry';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { type PrivateNatsServer, startNatsServer } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { Registry } from 'prom-client';
import { type DataSource, type EntityManager } from 'typeorm';
import { bootstrap } from '../src/bootstrap';
import { AgentCommandSender } from '../src/scheduling/agent-command.sender';
import { FleetMetrics } from '../src/scheduling/fleet-metrics';
import { type FleetSettings } from '../src/scheduling/fleet-settings';
import { GroupScaler } from '../src/scheduling/group-scaler';
import { eventually, FleetAgents } from './fleet-agents';

const settings: FleetSettings = {
  xds: { host: '127.0.0.1', port: 18000, tlsDirectory: null },
  defaultImage: 'envoyproxy/envoy:v1.36.2',
  proxyDemand: { cpuMillicores: 500, memoryMib: 256 },
  stopGraceSeconds: 5,
  heartbeatTimeoutMs: 60_000,
  healthIntervalMs: 200,
  disconnectGraceMs: 3_600_000,
};

/** fleet-manager on a private NATS the test stops and starts; agents played on the same bus. */
describe('fleet convergence', () => {
  const namespace = `fc${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const redisPrefix = uniqueRedisPrefix('fleet-convergence');
  let nats: PrivateNatsServer;
  let database: TestDatabase;
  let system: DataSource;
  let app: DataSource;
  let bus: JetStreamEventBus;
  let agents: FleetAgents;
  let replica: RunningApp;

  beforeAll(async () => {
    nats = await startNatsServer();
    database = await createTestDatabase({ migrate: runMigrations, label: 'fleet-convergence' });
    system = await createDataSource({
      url: database.systemUrl,
      applicationName: 'fleet-convergence',
    }).initialize();
    app = await createDataSource({ url: database.appUrl, applicationName: 'fleet-convergence' }).initialize();
    bus = JetStreamEventBus.create({
      servers: nats.url,
      name: 'fleet-convergence',
      namespace,
      logger: silentLogger,
    });
    await bus.provisionStreams();
    agents = new FleetAgents(bus, 500);
    replica = await bootstrap({
      env: {
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: await freePort(),
        LOG_LEVEL: 'error',
        DATABASE_URL: database.appUrl,
        DATABASE_SYSTEM_URL: database.systemUrl,
        NATS_URL: nats.url,
        NATS_NAMESPACE: namespace,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: redisPrefix,
        FLEET_NODE_HEARTBEAT_TIMEOUT_MS: '60000',
        FLEET_HEALTH_INTERVAL_MS: '200',
      },
    });
  });

  afterAll(async () => {
    await replica.close();
    await agents.dispose();
    await bus.close();
    await deleteRedisKeys(redisPrefix);
    await app.destroy();
    await system.destroy();
    await database.drop();
    await nats.dispose();
  });

  const write = <T>(work: (manager: EntityManager) => Promise<T>) =>
    withSystem(system, { actor: 'test:fleet-convergence' }, work);

  async function tenant(): Promise<{ id: string; name: string }> {
    const name = `t-${randomUUID().slice(0, 8)}`;
    return write((manager) => manager.save(manager.create(TenantEntity, { name, displayName: name })));
  }

  /** A VM whose agent has not registered yet: `not_ready` until its first heartbeat. */
  async function vm(tenantId: string, hostname: string): Promise<string> {
    const node = await write((manager) =>
      manager.save(
        manager.create(NodeEntity, {
          tenantId,
          hostname,
          zone: 'a',
          cpuMillicores: 8000,
          memoryMib: 16384,
          proxyPortRangeStart: 10000,
          proxyPortRangeEnd: 10049,
          adminPortRangeStart: 20000,
          adminPortRangeEnd: 20049,
          status: 'not_ready',
        }),
      ),
    );
    return node.id;
  }

  async function group(tenantId: string, name: string, desiredReplicas: number): Promise<string> {
    const created = await write((manager) =>
      manager.save(manager.create(ProxyGroupEntity, { tenantId, name, desiredReplicas })),
    );
    return created.id;
  }

  const proxiesOf = (groupId: string) =>
    write((manager) => manager.find(ProxyEntity, { where: { groupId }, order: { createdAt: 'ASC' } }));

  const createsFor = (vmId: string, proxyId: string) =>
    (agents.commands.get(vmId) ?? []).filter(
      (command) => command.kind === 'create' && (command.payload as { proxyId: string }).proxyId === proxyId,
    );

  it('places a group scaled while no VM was ready once an agent registers, and sends the creates', async () => {
    const owner = await tenant();
    const vmId = await vm(owner.id, 'vm-late');
    const edge = await group(owner.id, 'edge', 2);
    const metrics = new FleetMetrics(new Registry(), () =>
      Promise.resolve({ proxies: [], nodes: [], rollouts: [], drifted: 0 }),
    );
    const scaler = new GroupScaler({
      dataSource: app,
      commands: new AgentCommandSender({ bus, settings, metrics, logger: silentLogger }),
      settings,
      logger: silentLogger,
    });

    const report = await scaler.execute({ tenantId: owner.id, groupId: edge });

    expect(report).toEqual({ created: [], draining: [], unplaced: 2 });
    expect(await proxiesOf(edge)).toEqual([]);
    const gauge = await (await fetch(`${replica.url}/metrics`)).text();
    expect(gauge).toContain(
      `envoy_fleet_group_missing_replicas{tenant="${owner.name}",cluster="edge",service="fleet-manager"} 2`,
    );

    await agents.join(vmId, owner.id);

    const placed = await eventually(
      'two proxies placed on the registered VM, their containers created',
      async () => {
        const proxies = await proxiesOf(edge);
        return proxies.length === 2 && proxies.every((proxy) => proxy.containerId !== null)
          ? proxies
          : undefined;
      },
    );
    for (const proxy of placed) {
      expect(proxy).toMatchObject({ vmId, desiredState: 'running', commandDueAt: null });
      expect(createsFor(vmId, proxy.id)).toHaveLength(1);
    }
    const after = await (await fetch(`${replica.url}/metrics`)).text();
    expect(after).not.toContain(`envoy_fleet_group_missing_replicas{tenant="${owner.name}"`);
  });

  it('sends a create that failed while NATS was down on the next pass once it is back', async () => {
    const owner = await tenant();
    const vmId = await vm(owner.id, 'vm-outage');
    await agents.join(vmId, owner.id);
    await eventually('the VM ready', async () => {
      const node = await write((manager) => manager.findOneByOrFail(NodeEntity, { id: vmId }));
      return node.status === 'ready' ? node : undefined;
    });

    await nats.stop();
    const retried = await group(owner.id, 'retried', 1);
    const [failed] = await eventually(
      'a placed proxy whose create could not be queued',
      async () => {
        const rows: { id: string }[] = await write((manager) =>
          manager.query(`SELECT id FROM proxies WHERE group_id = $1 AND command_due_at <= now()`, [retried]),
        );
        return rows.length === 1 ? rows : undefined;
      },
      60_000,
    );
    expect((await proxiesOf(retried)).map((proxy) => proxy.containerId)).toEqual([null]);
    await nats.start();

    const [proxy] = await eventually(
      'the create sent after NATS is back and the container created',
      async () => {
        const proxies = await proxiesOf(retried);
        return proxies.length === 1 && proxies[0]?.containerId !== null ? proxies : undefined;
      },
      60_000,
    );
    expect(proxy).toMatchObject({ id: failed?.id, vmId, commandDueAt: null });
    expect(createsFor(vmId, failed?.id as string).length).toBeGreaterThanOrEqual(1);
  });
});
