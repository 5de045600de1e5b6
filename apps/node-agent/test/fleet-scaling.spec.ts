import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { runMigrations } from '@envoy-fleet/db';
import { freePort } from '@envoy-fleet/test-kit/net';
import { type AppProcess, type RunningStack, startApp, startStack } from '@envoy-fleet/test-kit/stack';
import { uniqueGroup } from './support/agent-fixture';
import { docker, removeNodeContainers, TEST_IMAGE } from './support/test-image';

const QUICKSTART = join(__dirname, '..', '..', '..', 'docs', 'quickstart');
const WAIT_MS = 90_000;
/** The types the quickstart config holds; it has no secrets. */
const CONFIG_TYPES = ['listener', 'route_config', 'cluster', 'endpoint'] as const;

interface ProxyView {
  id: string;
  nodeId: string;
  vmId: string;
  containerId: string | null;
  containerName: string;
  proxyPort: number;
  adminPort: number;
  image: string;
  desiredState: string;
  status: string;
  health: string;
  healthReasons: string[];
  ready: boolean | null;
  xdsStatus: Record<string, string>;
}
interface DeliveryStatus {
  nodeId: string;
  status: string;
  health: string;
  connected: boolean;
  resources: Record<string, { status: string; acked: { configVersion: { number: number } | null } | null }>;
}

/** `size` consecutive ports below the ephemeral range that nothing listens on now. */
async function freePortRange(size: number): Promise<{ start: number; end: number }> {
  const bindable = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
    });
  for (;;) {
    const start = 21_000 + Math.floor(Math.random() * 10_000);
    const ports = Array.from({ length: size }, (_, offset) => start + offset);
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) return { start, end: start + size - 1 };
  }
}

/**
 * The fleet end to end, every part its own process: the api, fleet-manager and xds-server of a stack,
 * and a real node-agent on the machine's Docker engine running envoy-sim images in place of Envoy.
 * Scaling a group through the api makes fleet-manager place proxies on the agent's VM and command it;
 * the containers dial the xds-server and ACK their config; the api shows it all. Scaling down drains
 * the newest proxies and removes their containers and rows.
 */
describe('node-agent in the fleet: scaling a group through the api', () => {
  const groupName = uniqueGroup();
  let stack: RunningStack;
  let agent: AppProcess<'node-agent'> | undefined;
  let vmId: string | undefined;

  beforeAll(async () => {
    stack = await startStack({
      migrate: runMigrations,
      label: 'node-agent-fleet',
      env: { 'fleet-manager': { FLEET_PROXY_IMAGE: TEST_IMAGE, FLEET_STOP_GRACE_SECONDS: '10' } },
    });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    if (vmId !== undefined) await removeNodeContainers(vmId);
    await stack?.stop();
  }, 60_000);

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await stack.api(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const proxiesOfVm = async (): Promise<ProxyView[]> =>
    (await call<{ items: ProxyView[] }>('GET', `/api/v1/proxies?vmId=${vmId}`)).items;
  const deliveryOf = (nodeId: string) =>
    call<DeliveryStatus>('GET', `/api/v1/proxies/${encodeURIComponent(nodeId)}/status`);
  const containersOfVm = () =>
    docker().listContainers({ all: true, filters: { label: [`envoy-fleet.node-id=${vmId}`] } });

  /** Polls `observe` until `done` holds; a time-out shows the last observation and every log, the agent's too. */
  const until = <T>(what: string, observe: () => Promise<T>, done: (seen: T) => boolean): Promise<T> =>
    stack.until(what, observe, done, { timeoutMs: WAIT_MS, alsoShow: agent === undefined ? [] : [agent] });

  /** Every proxy of the VM running, healthy and SYNCED on every type of its config, as the api shows it. */
  const servedAndHealthy = async (
    count: number,
  ): Promise<{ proxies: ProxyView[]; delivery: DeliveryStatus[] }> =>
    until(
      `${count} running, healthy and SYNCED proxies`,
      async () => {
        const proxies = await proxiesOfVm();
        if (proxies.length !== count) return { proxies, delivery: [] };
        return { proxies, delivery: await Promise.all(proxies.map((proxy) => deliveryOf(proxy.nodeId))) };
      },
      ({ proxies, delivery }) =>
        proxies.length === count &&
        proxies.every((proxy) => proxy.status === 'running' && proxy.health === 'healthy') &&
        delivery.every(
          (status) =>
            status.connected && CONFIG_TYPES.every((type) => status.resources[type]?.status === 'SYNCED'),
        ),
    );

  it('starts 3 containers that ACK their config when scaled to 3, and drains and removes 2 when scaled to 1', async () => {
    const ports = await freePortRange(10);
    const proxyPortRange = { start: ports.start, end: ports.start + 4 };
    const adminPortRange = { start: ports.start + 5, end: ports.end };
    const node = await call<{ id: string; status: string }>('POST', '/api/v1/nodes', {
      hostname: `vm-${groupName}`,
      capacity: { cpuMillicores: 4_000, memoryMib: 4_096 },
      proxyPortRange,
      adminPortRange,
    });
    vmId = node.id;
    const group = await call<{ id: string }>('POST', '/api/v1/proxy-groups', { name: groupName });
    const config = await call<{ id: string }>(
      'POST',
      '/api/v1/configs',
      JSON.parse(readFileSync(join(QUICKSTART, 'edge-config.json'), 'utf8')),
    );
    await call('POST', '/api/v1/bindings', { mode: 'group', groupId: group.id, configId: config.id });

    agent = await startApp('node-agent', {
      LOG_LEVEL: 'warn',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: await freePort(),
      NODE_ID: node.id,
      NATS_URL: stack.natsUrl,
      NATS_NAMESPACE: stack.natsNamespace,
      DOCKER_HOST: 'unix:///var/run/docker.sock',
      AGENT_HEARTBEAT_INTERVAL_MS: '1000',
      AGENT_PROBE_INTERVAL_MS: '1000',
    });
    await until(
      'the VM to be ready once its agent registered',
      () => call<{ status: string; dockerVersion: string | null }>('GET', `/api/v1/nodes/${node.id}`),
      (seen) => seen.status === 'ready',
    );

    await call('POST', `/api/v1/proxy-groups/${group.id}/scale`, { replicas: 3 });

    const three = await servedAndHealthy(3);
    expect(three.proxies.map((proxy) => proxy.containerName)).toEqual(
      [1, 2, 3].map((ordinal) => `envoy-proxy-${groupName}-00${ordinal}`),
    );
    for (const proxy of three.proxies) {
      expect(proxy).toMatchObject({
        vmId: node.id,
        image: TEST_IMAGE,
        desiredState: 'running',
        ready: true,
        healthReasons: [],
      });
      expect(proxy.proxyPort).toBeGreaterThanOrEqual(proxyPortRange.start);
      expect(proxy.proxyPort).toBeLessThanOrEqual(proxyPortRange.end);
      expect(proxy.adminPort).toBeGreaterThanOrEqual(adminPortRange.start);
      expect(proxy.adminPort).toBeLessThanOrEqual(adminPortRange.end);
      const container = await docker()
        .getContainer(proxy.containerId ?? proxy.containerName)
        .inspect();
      expect(container.Name).toBe(`/${proxy.containerName}`);
      expect(container.State.Running).toBe(true);
      expect(container.HostConfig.NetworkMode).toBe('host');
      expect(container.Config.Env).toEqual(
        expect.arrayContaining([
          `NODE_ID=${proxy.nodeId}`,
          `CLUSTER_NAME=${groupName}`,
          `CONTROL_PLANE_HOST=${stack.xds.host}`,
          `CONTROL_PLANE_PORT=${stack.xds.port}`,
          `PROXY_PORT=${proxy.proxyPort}`,
          `ADMIN_PORT=${proxy.adminPort}`,
        ]),
      );
      // On the host network the simulated Envoy's admin interface answers on the allocated port.
      expect((await fetch(`http://127.0.0.1:${proxy.adminPort}/ready`)).status).toBe(200);
    }
    for (const status of three.delivery) {
      expect(status.resources.listener?.acked?.configVersion?.number).toBe(1);
    }

    await call('POST', `/api/v1/proxy-groups/${group.id}/scale`, { replicas: 1 });

    const [kept, ...drained] = three.proxies as [ProxyView, ...ProxyView[]];
    await until(
      'the 2 newest containers to be gone from Docker',
      containersOfVm,
      (containers) => containers.length === 1,
    );
    expect((await containersOfVm()).map((container) => container.Names)).toEqual([
      [`/${kept.containerName}`],
    ]);
    const one = await servedAndHealthy(1);
    expect(one.proxies.map((proxy) => proxy.id)).toEqual([kept.id]);
    // Drained, not killed: each got a graceful stop before its removal, and the agent failed none.
    const metrics = await (await fetch(`${stack.processes['fleet-manager'].url}/metrics`)).text();
    expect(metrics).toMatch(/^envoy_fleet_agent_commands_sent_total\{kind="create"[^}]*\} 3$/m);
    expect(metrics).toMatch(/^envoy_fleet_agent_commands_sent_total\{kind="stop"[^}]*\} 2$/m);
    expect(metrics).toMatch(/^envoy_fleet_agent_commands_sent_total\{kind="remove"[^}]*\} 2$/m);
    expect(metrics).not.toMatch(/^envoy_fleet_agent_commands_failed_total\{/m);
    for (const proxy of drained) {
      expect((await stack.api('GET', `/api/v1/proxies/${encodeURIComponent(proxy.nodeId)}`)).status).toBe(
        404,
      );
    }
  }, 300_000);
});
