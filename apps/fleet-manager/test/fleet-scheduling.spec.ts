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
import { createEvent } from '@envoy-fleet/domain';
import { JetStreamEventBus, silentLogger } from '@envoy-fleet/messaging';
import { type RunningApp } from '@envoy-fleet/telemetry';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
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

const HEARTBEAT_TIMEOUT_MS = 4_000;

const settings: FleetSettings = {
  xds: { host: '127.0.0.1', port: 18000, tlsDirectory: null },
  defaultImage: 'envoyproxy/envoy:v1.36.2',
  proxyDemand: { cpuMillicores: 500, memoryMib: 256 },
  stopGraceSeconds: 5,
  heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
  healthIntervalMs: 200,
  disconnectGraceMs: 3_600_000,
};

describe('fleet scheduling', () => {
  const namespace = `fs${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const redisPrefix = uniqueRedisPrefix('fleet-scheduling');
  let database: TestDatabase;
  let system: DataSource;
  let bus: JetStreamEventBus;
  let agents: FleetAgents;
  let replicas: RunningApp[];

  beforeAll(async () => {
    database = await createTestDatabase({ migrate: runMigrations, label: 'fleet-scheduling' });
    system = await createDataSource({
      url: database.systemUrl,
      applicationName: 'fleet-scheduling',
    }).initialize();
    bus = JetStreamEventBus.create({
      servers: TEST_NATS_URL,
      name: 'fleet-scheduling',
      namespace,
      logger: silentLogger,
    });
    await bus.provisionStreams();
    agents = new FleetAgents(bus, 500);
    replicas = [];
    for (let replica = 0; replica < 2; replica += 1) {
      replicas.push(
        await bootstrap({
          env: {
            HTTP_HOST: '127.0.0.1',
            HTTP_PORT: await freePort(),
            LOG_LEVEL: 'error',
            DATABASE_URL: database.appUrl,
            DATABASE_SYSTEM_URL: database.systemUrl,
            NATS_URL: TEST_NATS_URL,
            NATS_NAMESPACE: namespace,
            REDIS_URL: TEST_REDIS_URL,
            REDIS_KEY_PREFIX: redisPrefix,
            FLEET_STOP_GRACE_SECONDS: '5',
            FLEET_NODE_HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
            FLEET_HEALTH_INTERVAL_MS: '200',
          },
        }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await agents.dispose();
    await bus.close();
    await deleteRedisKeys(redisPrefix);
    await system.destroy();
    await database.drop();
  });

  const write = <T>(work: (manager: EntityManager) => Promise<T>) =>
    withSystem(system, { actor: 'test:fleet-scheduling' }, work);

  async function tenant(): Promise<{ id: string; name: string }> {
    const name = `t-${randomUUID().slice(0, 8)}`;
    return write((manager) => manager.save(manager.create(TenantEntity, { name, displayName: name })));
  }

  /** A ready VM whose agent the test plays. */
  async function vm(tenantId: string, hostname: string, zone: string, ports = 50): Promise<string> {
    const node = await write((manager) =>
      manager.save(
        manager.create(NodeEntity, {
          tenantId,
          hostname,
          zone,
          cpuMillicores: 8000,
          memoryMib: 16384,
          proxyPortRangeStart: 10000,
          proxyPortRangeEnd: 10000 + ports - 1,
          adminPortRangeStart: 20000,
          adminPortRangeEnd: 20000 + ports - 1,
          status: 'ready',
          lastHeartbeatAt: new Date(),
        }),
      ),
    );
    await agents.join(node.id, tenantId);
    return node.id;
  }

  async function group(
    tenantId: string,
    name: string,
    fields: Partial<ProxyGroupEntity> = {},
  ): Promise<string> {
    const created = await write((manager) =>
      manager.save(manager.create(ProxyGroupEntity, { tenantId, name, ...fields })),
    );
    return created.id;
  }

  /** What the api's scale endpoint does: store the desired replicas, announce group.scaled. */
  async function scale(tenantId: string, groupId: string, replicas: number): Promise<void> {
    await write((manager) =>
      manager.update(ProxyGroupEntity, { id: groupId }, { desiredReplicas: replicas }),
    );
    await bus.publish(
      createEvent('group.scaled', {
        id: randomUUID(),
        tenantId,
        aggregateId: groupId,
        payload: { groupId, name: 'scaled', desiredReplicas: replicas },
      }),
    );
  }

  const proxiesOf = (groupId: string) =>
    write((manager) => manager.find(ProxyEntity, { where: { groupId }, order: { createdAt: 'ASC' } }));

  it('places concurrent scale-ups of two module instances on shared VMs without a port twice, spread over zones', async () => {
    const owner = await tenant();
    const vms = [
      await vm(owner.id, 'vm-a', 'a', 8),
      await vm(owner.id, 'vm-b', 'b', 8),
      await vm(owner.id, 'vm-c', 'c', 8),
    ];
    const groups = [
      await group(owner.id, 'edge'),
      await group(owner.id, 'internal'),
      await group(owner.id, 'api'),
    ];
    await write((manager) =>
      manager.update(ProxyGroupEntity, { tenantId: owner.id }, { desiredReplicas: 6 }),
    );
    const instances = await Promise.all([
      moduleInstance(database, namespace),
      moduleInstance(database, namespace),
    ]);

    try {
      // Both instances converge every group at once: same-group runs take turns, other groups race for ports.
      await Promise.all(
        groups.flatMap((groupId) =>
          instances.map((instance) => instance.scaler.execute({ tenantId: owner.id, groupId })),
        ),
      );
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }

    const placed = (await Promise.all(groups.map(proxiesOf))).flat();
    expect(placed).toHaveLength(18);
    for (const vmId of vms) {
      const ports = placed
        .filter((proxy) => proxy.vmId === vmId)
        .flatMap((proxy) => [proxy.proxyPort, proxy.adminPort]);
      expect(new Set(ports).size).toBe(ports.length);
      expect(ports.filter((port) => port >= 10000 && port <= 10007)).toHaveLength(6);
      expect(ports.filter((port) => port >= 20000 && port <= 20007)).toHaveLength(6);
    }
    for (const groupId of groups) {
      const perVm = vms.map(
        (vmId) => placed.filter((proxy) => proxy.groupId === groupId && proxy.vmId === vmId).length,
      );
      expect(perVm).toEqual([2, 2, 2]);
    }
    expect(
      placed
        .map((proxy) => proxy.nodeId)
        .filter((nodeId) => nodeId.startsWith(`${owner.name}.edge-`))
        .sort(),
    ).toEqual(['001', '002', '003', '004', '005', '006'].map((ordinal) => `${owner.name}.edge-${ordinal}`));
    const creates = await eventually('a create command per proxy on its VM', () => {
      const sent = vms.flatMap((vmId) =>
        (agents.commands.get(vmId) ?? []).filter((command) => command.kind === 'create'),
      );
      return sent.length >= 18 ? sent : undefined;
    });
    expect(creates.map((command) => (command.payload as { proxyId: string }).proxyId).sort()).toEqual(
      placed.map((proxy) => proxy.id).sort(),
    );
    const edgeProxy = placed.find((proxy) => proxy.nodeId === `${owner.name}.edge-001`) as ProxyEntity;
    expect(
      creates.find((command) => (command.payload as { proxyId: string }).proxyId === edgeProxy.id),
    ).toMatchObject({
      nodeId: edgeProxy.vmId,
      payload: {
        proxyId: edgeProxy.id,
        tenantId: owner.id,
        xdsNodeId: `${owner.name}.edge-001`,
        groupName: 'edge',
        ordinal: 1,
        proxyPort: edgeProxy.proxyPort,
        adminPort: edgeProxy.adminPort,
        image: 'envoyproxy/envoy:v1.36.2',
        xds: { host: '127.0.0.1', port: 18000, tlsDirectory: null },
        resources: { cpuMillicores: 500, memoryMib: 256 },
      },
    });
  });

  it('scales up on group.scaled through either replica, then down newest first by draining', async () => {
    const owner = await tenant();
    const vms = [await vm(owner.id, 'vm-1', 'a'), await vm(owner.id, 'vm-2', 'b')];
    const edge = await group(owner.id, 'edge');

    await scale(owner.id, edge, 4);
    const running = await eventually('four proxies with their containers', async () => {
      const proxies = await proxiesOf(edge);
      return proxies.length === 4 && proxies.every((proxy) => proxy.containerId !== null)
        ? proxies
        : undefined;
    });
    expect(running.map((proxy) => proxy.containerId)).toEqual(
      running.map((proxy) => `container-${proxy.id}-first`),
    );
    expect(vms.map((vmId) => running.filter((proxy) => proxy.vmId === vmId).length)).toEqual([2, 2]);

    const observed = running[0] as ProxyEntity;
    await eventually('the first probe of /ready applied', async () => {
      const proxy = (await proxiesOf(edge)).find((each) => each.id === observed.id);
      return proxy?.ready === true ? proxy : undefined;
    });
    await bus.publish(
      createEvent('agent.container.changed', {
        id: randomUUID(),
        tenantId: owner.id,
        aggregateId: observed.vmId as string,
        payload: {
          nodeId: observed.vmId as string,
          proxyId: observed.id,
          containerId: `container-${observed.id}-first`,
          containerName: observed.containerName,
          change: 'health',
          status: 'running',
          exitCode: null,
          health: 'unhealthy',
          observedAt: new Date().toISOString(),
        },
      }),
    );
    const unhealthy = await eventually('the reported container state on the proxy', async () => {
      const proxy = (await proxiesOf(edge)).find((each) => each.id === observed.id);
      return proxy?.health === 'unhealthy' ? proxy : undefined;
    });
    expect(unhealthy).toMatchObject({
      status: 'running',
      containerId: `container-${observed.id}-first`,
      ready: false,
      healthReasons: ['admin /ready fails', 'xDS disconnected, within the grace period'],
    });
    const admin = await createDataSource({ url: database.adminUrl }).initialize();
    const healthEvents: unknown[] = await admin
      .query(
        `SELECT payload->>'health' AS health FROM outbox WHERE type = 'proxy.health.changed' AND aggregate_id = $1 ORDER BY id`,
        [observed.id],
      )
      .finally(() => admin.destroy());
    // Ready but never connected over xDS (within the grace period): unknown until the probe fails.
    expect(healthEvents).toEqual([{ health: 'unhealthy' }]);

    await scale(owner.id, edge, 1);
    const left = await eventually('the three newest proxies removed', async () => {
      const proxies = await proxiesOf(edge);
      return proxies.length === 1 ? proxies : undefined;
    });

    const oldest = [...running].sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.nodeId.localeCompare(b.nodeId),
    )[0] as ProxyEntity;
    expect(left.map((proxy) => proxy.id)).toEqual([oldest.id]);
    for (const removed of running.filter((proxy) => proxy.id !== oldest.id)) {
      const kinds = (agents.commands.get(removed.vmId as string) ?? [])
        .filter((command) => (command.payload as { proxyId: string }).proxyId === removed.id)
        .map((command) => command.kind);
      expect(kinds).toEqual(['create', 'stop', 'remove']);
      const stop = agents.commands
        .get(removed.vmId as string)
        ?.find(
          (command) =>
            command.kind === 'stop' && (command.payload as { proxyId: string }).proxyId === removed.id,
        );
      expect(stop?.payload).toEqual({ proxyId: removed.id, graceSeconds: 5 });
    }
  });

  it('marks a VM that stops heartbeating not_ready and reschedules the proxies of groups that ask for it', async () => {
    const owner = await tenant();
    const [lost, kept] = [await vm(owner.id, 'vm-lost', 'a'), await vm(owner.id, 'vm-kept', 'b')];
    const moving = await group(owner.id, 'moving', { rescheduleOnNodeLoss: true });
    const staying = await group(owner.id, 'staying');
    await scale(owner.id, moving, 2);
    await scale(owner.id, staying, 2);
    const before = await eventually('both groups placed', async () => {
      const proxies = [...(await proxiesOf(moving)), ...(await proxiesOf(staying))];
      return proxies.length === 4 && proxies.every((proxy) => proxy.containerId !== null)
        ? proxies
        : undefined;
    });
    const movedAway = before.find((proxy) => proxy.groupId === moving && proxy.vmId === lost) as ProxyEntity;
    const leftBehind = before.find(
      (proxy) => proxy.groupId === staying && proxy.vmId === lost,
    ) as ProxyEntity;

    await agents.lose(lost);

    const node = await eventually('the lost VM marked not_ready', async () => {
      const row = await write((manager) => manager.findOneByOrFail(NodeEntity, { id: lost }));
      return row.status === 'not_ready' ? row : undefined;
    });
    expect(node.status).toBe('not_ready');
    const replaced = await eventually('a replacement of the moving proxy on the kept VM', async () => {
      const proxies = await proxiesOf(moving);
      const active = proxies.filter((proxy) => proxy.desiredState === 'running');
      return active.length === 2 && active.every((proxy) => proxy.vmId === kept) ? proxies : undefined;
    });
    expect(replaced.find((proxy) => proxy.id === movedAway.id)).toMatchObject({
      desiredState: 'removed',
      status: 'unknown',
    });
    expect(await proxiesOf(staying)).toContainEqual(
      expect.objectContaining({ id: leftBehind.id, vmId: lost, desiredState: 'running', status: 'unknown' }),
    );

    // The agent comes back: the drain commands waited for it; the removed proxy's row goes, the VM is ready.
    await agents.revive(lost);
    await eventually('the moved proxy removed from the returning VM', async () => {
      const proxies = await proxiesOf(moving);
      return proxies.some((proxy) => proxy.id === movedAway.id) ? undefined : proxies;
    });
    expect(
      (agents.commands.get(lost) ?? [])
        .filter((command) => (command.payload as { proxyId: string }).proxyId === movedAway.id)
        .map((command) => command.kind),
    ).toEqual(['create', 'stop', 'remove']);
    await eventually('the VM ready again', async () => {
      const row = await write((manager) => manager.findOneByOrFail(NodeEntity, { id: lost }));
      return row.status === 'ready' ? row : undefined;
    });
    const admin = await createDataSource({ url: database.adminUrl }).initialize();
    const events: unknown[] = await admin
      .query(`SELECT payload FROM outbox WHERE type = 'node.status.changed' AND aggregate_id = $1`, [lost])
      .finally(() => admin.destroy());
    expect(events).toEqual([
      { payload: { vmId: lost, status: 'not_ready' } },
      { payload: { vmId: lost, status: 'ready' } },
    ]);
  });

  it('rolls a group over to a new image one proxy at a time, each once its new container is ready and has ACKed', async () => {
    const image = 'envoyproxy/envoy:v1.37.0';
    const owner = await tenant();
    await vm(owner.id, 'vm-r1', 'a');
    await vm(owner.id, 'vm-r2', 'b');
    const edge = await group(owner.id, 'rolled');
    await scale(owner.id, edge, 3);
    const before = await eventually('three proxies whose /ready answers', async () => {
      const proxies = await proxiesOf(edge);
      return proxies.length === 3 && proxies.every((proxy) => proxy.ready === true) ? proxies : undefined;
    });
    // What the delivery recorder writes when xds-server reports an ACK.
    const ack = (proxy: ProxyEntity) =>
      write((manager) =>
        manager.query(
          `INSERT INTO config_history (tenant_id, proxy_id, resource_type, xds_version, status, responded_at)
           VALUES ($1, $2, 'cluster', 'v1', 'acked', now())`,
          [owner.id, proxy.id],
        ),
      );
    for (const proxy of before) await ack(proxy);

    await write((manager) => manager.update(ProxyGroupEntity, { id: edge }, { image }));
    await bus.publish(
      createEvent('group.changed', {
        id: randomUUID(),
        tenantId: owner.id,
        aggregateId: edge,
        payload: { groupId: edge, name: 'rolled', change: 'updated' },
      }),
    );

    const order: string[] = [];
    for (let round = 1; round <= 3; round += 1) {
      const inFlight = await eventually(`update ${round} under way`, async () => {
        const proxies = await proxiesOf(edge);
        const updating = proxies.filter((proxy) => proxy.imageUpdatedAt !== null);
        return proxies.filter((proxy) => proxy.image === image).length === round && updating.length === 1
          ? updating[0]
          : undefined;
      });
      const ready = await eventually(`new container ${round} ready`, async () => {
        const proxy = (await proxiesOf(edge)).find((each) => each.id === inFlight.id);
        return proxy?.ready === true && proxy.status === 'running' ? proxy : undefined;
      });
      // Ready but not yet ACKed: the next proxy waits.
      expect((await proxiesOf(edge)).filter((proxy) => proxy.image === image)).toHaveLength(round);
      order.push(ready.id);
      await ack(ready);
    }
    const after = await eventually('every proxy on the new image and settled', async () => {
      const proxies = await proxiesOf(edge);
      return proxies.every((proxy) => proxy.imageUpdatedAt === null) ? proxies : undefined;
    });

    expect(after.map((proxy) => proxy.image)).toEqual([image, image, image]);
    expect(order).toEqual(
      [...before].sort((a, b) => a.nodeId.localeCompare(b.nodeId)).map((proxy) => proxy.id),
    );
    for (const proxy of before) {
      const commands = (agents.commands.get(proxy.vmId as string) ?? []).filter(
        (command) => (command.payload as { proxyId: string }).proxyId === proxy.id,
      );
      expect(commands.map((command) => command.kind)).toEqual(['create', 'update-image']);
      expect(commands[1]?.payload).toEqual({ proxyId: proxy.id, image, graceSeconds: 5 });
    }
  });

  it('exposes fleet gauges and command counters on /metrics', async () => {
    const text = await (await fetch(`${replicas[0]?.url ?? ''}/metrics`)).text();

    expect(text).toMatch(/^envoy_fleet_total_instances\{service="fleet-manager"\} [1-9]\d*$/m);
    expect(text).toMatch(
      /^envoy_fleet_instances_by_cluster\{tenant="t-[0-9a-f]{8}",cluster="moving",status="[a-z]+",service="fleet-manager"\} \d+$/m,
    );
    expect(text).toMatch(/^envoy_fleet_nodes_by_status\{status="ready",service="fleet-manager"\} [1-9]\d*$/m);
    expect(text).toMatch(
      /^envoy_fleet_agent_commands_sent_total\{kind="create",service="fleet-manager"\} [1-9]\d*$/m,
    );
  });
});

/** A second copy of the scheduling module on its own connections, as another replica would hold. */
async function moduleInstance(database: TestDatabase, namespace: string) {
  const dataSource = await createDataSource({ url: database.appUrl, applicationName: 'scaler' }).initialize();
  const bus = JetStreamEventBus.create({
    servers: TEST_NATS_URL,
    name: 'scaler',
    namespace,
    logger: silentLogger,
  });
  const metrics = new FleetMetrics(new Registry(), () =>
    Promise.resolve({ proxies: [], nodes: [], rollouts: [], drifted: 0 }),
  );
  const commands = new AgentCommandSender({ bus, settings, metrics, logger: silentLogger });
  return {
    scaler: new GroupScaler({ dataSource, commands, settings, logger: silentLogger }),
    close: async () => {
      await bus.close();
      await dataSource.destroy();
    },
  };
}
