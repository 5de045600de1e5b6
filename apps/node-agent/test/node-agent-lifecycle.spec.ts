import { randomUUID } from 'node:crypto';
import type { AgentCommandResult, ProxyContainerSpecInput } from '@envoy-fleet/domain';
import type { RunningApp } from '@envoy-fleet/telemetry';
import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { freePort } from '@envoy-fleet/test-kit/net';
import { proxySpec, startAgent, uniqueGroup } from './support/agent-fixture';
import { FakeFleetManager, waitFor } from './support/fake-fleet-manager';
import { docker, TEST_IMAGE_V2, removeNodeContainers } from './support/test-image';

function succeeded(result: AgentCommandResult): Extract<AgentCommandResult, { ok: true }> {
  if (!result.ok)
    throw new Error(`command ${result.kind} failed: ${result.error.code}: ${result.error.message}`);
  return result;
}

describe('node-agent: registration, heartbeat and the container lifecycle', () => {
  const nodeId = randomUUID();
  const group = uniqueGroup();
  let nats: PrivateNatsServer;
  let fleet: FakeFleetManager;
  let agent: RunningApp;

  beforeAll(async () => {
    nats = await startNatsServer();
    fleet = await FakeFleetManager.start(nats.url, nodeId);
    agent = await startAgent(nats.url, nodeId);
  });

  afterAll(async () => {
    await agent.close();
    await fleet.close();
    await nats.dispose();
    await removeNodeContainers(nodeId);
  });

  it('registers its VM with its facts', async () => {
    const registration = await fleet.report('agent.registered', () => true);

    expect(registration).toEqual({
      nodeId,
      hostname: expect.any(String),
      addresses: expect.any(Array),
      region: 'test-region',
      zone: 'test-zone-a',
      labels: { rack: 'r1', tier: 'edge' },
      capacity: { cpuMillicores: expect.any(Number), memoryMib: expect.any(Number) },
      agentVersion: '0.0.0',
      dockerVersion: expect.stringMatching(/^\d+\.\d+/),
      startedAt: expect.any(String),
    });
    expect(registration.capacity.cpuMillicores).toBeGreaterThanOrEqual(1000);
    expect(registration.capacity.memoryMib).toBeGreaterThan(0);
  });

  it('sends heartbeats with the resource use of the host', async () => {
    const heartbeat = await waitFor('a heartbeat', () =>
      fleet.heartbeats.find((beat) => beat.nodeId === nodeId),
    );

    expect(heartbeat.dockerReachable).toBe(true);
    expect(heartbeat.host.memoryTotalMib).toBeGreaterThan(0);
    expect(heartbeat.host.memoryUsedMib).toBeGreaterThan(0);
  });

  it('creates, probes, stops gracefully, starts, restarts, updates and removes several containers', async () => {
    const specs = await Promise.all([1, 2, 3].map((ordinal) => proxySpec(group, ordinal)));

    const created = (await Promise.all(specs.map((spec) => fleet.execute('create', spec)))).map(succeeded);

    expect(created.map((result) => result.changed)).toEqual([true, true, true]);
    const [first, second, third] = specs as [
      ProxyContainerSpecInput,
      ProxyContainerSpecInput,
      ProxyContainerSpecInput,
    ];
    const [firstId] = created.map((result) => result.containerId) as [string];
    const inspected = await docker().getContainer(firstId).inspect();
    expect(inspected.Name).toBe(`/envoy-proxy-${group}-001`);
    expect(inspected.State.Running).toBe(true);
    expect(inspected.HostConfig).toMatchObject({
      NetworkMode: 'host',
      Memory: 256 * 1024 * 1024,
      NanoCpus: 500_000_000,
      RestartPolicy: { Name: 'unless-stopped' },
    });
    expect(inspected.Config.Labels).toMatchObject({
      'envoy-fleet.proxy-id': first.proxyId,
      'envoy-fleet.tenant-id': first.tenantId,
      'envoy-fleet.node-id': nodeId,
    });
    expect(inspected.Config.Env).toEqual(
      expect.arrayContaining([
        `NODE_ID=${first.xdsNodeId}`,
        `CLUSTER_NAME=${group}`,
        `ADMIN_PORT=${first.adminPort}`,
        'ADMIN_ADDRESS=127.0.0.1',
        'ZONE=test-zone-a',
        `CONTROL_PLANE_PORT=${first.xds.port}`,
      ]),
    );
    const started = await fleet.report(
      'agent.container.changed',
      (change) => change.containerId === firstId && change.change === 'start',
    );
    expect(started).toMatchObject({
      proxyId: first.proxyId,
      status: 'running',
      containerName: `envoy-proxy-${group}-001`,
    });

    const probe = succeeded(
      await waitFor('an answering admin port', async () => {
        const result = succeeded(await fleet.execute('probe', { proxyId: second.proxyId }));
        return result.probe?.readyStatus === null ? undefined : result;
      }),
    );
    // Without an xDS server the simulated Envoy stays PRE_INITIALIZING, as Envoy does.
    expect(probe.probe).toMatchObject({ ready: false, readyStatus: 503, error: null, statsTruncated: false });
    expect(probe.probe?.stats).toContain('envoy_cluster_manager_cds_update_attempt');
    await fleet.report(
      'agent.container.changed',
      (change) => change.proxyId === second.proxyId && change.change === 'health',
    );

    const heartbeat = await waitFor('a heartbeat with the three containers and their use', () =>
      fleet.heartbeats.find((beat) =>
        specs.every((spec) =>
          beat.containers.some((container) => container.proxyId === spec.proxyId && container.usage !== null),
        ),
      ),
    );
    const reported = heartbeat.containers.find((container) => container.proxyId === first.proxyId);
    expect(reported).toMatchObject({
      state: 'running',
      status: 'running',
      image: first.image,
      usage: { memoryLimitMib: 256 },
    });
    expect(reported?.usage?.memoryMib).toBeGreaterThan(0);

    const stopped = succeeded(await fleet.execute('stop', { proxyId: third.proxyId, graceSeconds: 20 }));
    expect(stopped.changed).toBe(true);
    const died = await fleet.report(
      'agent.container.changed',
      (change) => change.proxyId === third.proxyId && change.change === 'die',
    );
    // SIGTERM ended it within the grace: exit code 0, a stop rather than a crash.
    expect(died).toMatchObject({ exitCode: 0, status: 'stopped' });

    const restarted = succeeded(await fleet.execute('start', { proxyId: third.proxyId }));
    expect(restarted).toMatchObject({ changed: true, containerId: stopped.containerId });
    expect(
      (
        await docker()
          .getContainer(stopped.containerId ?? '')
          .inspect()
      ).State.Running,
    ).toBe(true);

    succeeded(await fleet.execute('restart', { proxyId: second.proxyId, graceSeconds: 5 }));
    expect(
      (
        await docker()
          .getContainer(created[1]?.containerId ?? '')
          .inspect()
      ).State.Running,
    ).toBe(true);

    const updated = succeeded(
      await fleet.execute('update-image', { proxyId: first.proxyId, image: TEST_IMAGE_V2 }),
    );
    expect(updated.changed).toBe(true);
    expect(updated.containerId).not.toBe(firstId);
    const replacement = await docker()
      .getContainer(updated.containerId ?? '')
      .inspect();
    expect(replacement).toMatchObject({
      Name: `/envoy-proxy-${group}-001`,
      Config: { Image: TEST_IMAGE_V2 },
      State: { Running: true },
    });

    for (const spec of specs) {
      expect(
        succeeded(await fleet.execute('remove', { proxyId: spec.proxyId, graceSeconds: 5 })),
      ).toMatchObject({
        changed: true,
        containerId: null,
      });
    }
    const left = await docker().listContainers({
      all: true,
      filters: { label: [`envoy-fleet.node-id=${nodeId}`] },
    });
    expect(left).toEqual([]);
  });

  it('does no harm when a command comes again', async () => {
    const spec = await proxySpec(group, 10);
    const first = succeeded(await fleet.execute('create', spec));

    const again = succeeded(await fleet.execute('create', spec));
    const stop = succeeded(await fleet.execute('stop', { proxyId: spec.proxyId }));
    const stopAgain = succeeded(await fleet.execute('stop', { proxyId: spec.proxyId }));
    const remove = succeeded(await fleet.execute('remove', { proxyId: spec.proxyId }));
    const removeAgain = succeeded(await fleet.execute('remove', { proxyId: spec.proxyId }));

    expect(again).toMatchObject({ changed: false, containerId: first.containerId });
    expect(stop).toMatchObject({ changed: true, containerId: first.containerId });
    expect(stopAgain).toMatchObject({ changed: false, containerId: first.containerId });
    expect(remove).toMatchObject({ changed: true, containerId: null });
    expect(removeAgain).toMatchObject({ changed: false, containerId: null });
  });

  it('replaces a container whose spec changed', async () => {
    const spec = await proxySpec(group, 11);
    const first = succeeded(await fleet.execute('create', spec));

    const changed = succeeded(await fleet.execute('create', { ...spec, env: { LOG_LEVEL: 'debug' } }));

    expect(changed.changed).toBe(true);
    expect(changed.containerId).not.toBe(first.containerId);
    expect(
      (
        await docker()
          .getContainer(changed.containerId ?? '')
          .inspect()
      ).Config.Env,
    ).toContain('LOG_LEVEL=debug');
    succeeded(await fleet.execute('remove', { proxyId: spec.proxyId, graceSeconds: 5 }));
  });

  it('answers bad commands, missing containers and unreachable registries with precise errors', async () => {
    const unknownKind = await fleet.result(await fleet.sendUnchecked('reboot', {}));
    const badPayload = await fleet.execute('stop', { proxyId: 'not-a-uuid' });
    const missing = await fleet.execute('start', { proxyId: randomUUID() });
    const unreachable = await fleet.execute(
      'create',
      await proxySpec(group, 12, { image: `127.0.0.1:${await freePort()}/envoy:absent` }),
    );

    expect(unknownKind).toMatchObject({
      ok: false,
      error: { code: 'invalid_command', message: expect.stringContaining('unknown command kind "reboot"') },
    });
    expect(badPayload).toMatchObject({
      ok: false,
      proxyId: 'not-a-uuid',
      error: { code: 'invalid_command', message: expect.stringContaining('proxyId') },
    });
    expect(missing).toMatchObject({ ok: false, error: { code: 'container_not_found' } });
    expect(unreachable).toMatchObject({
      ok: false,
      error: { code: 'image_pull_failed', message: expect.stringContaining('could not be pulled') },
    });
  });

  it('streams logs: the tail at once, and followed lines until the container stops', async () => {
    const spec = await proxySpec(group, 13);
    succeeded(await fleet.execute('create', spec));
    await waitFor('the first log line', async () => {
      const logs = await docker()
        .getContainer(
          (await fleet.report('agent.container.changed', (c) => c.proxyId === spec.proxyId)).containerId,
        )
        .logs({ stdout: true });
      return logs.toString().includes('sim-image: starting') ? true : undefined;
    });

    const tail = succeeded(await fleet.execute('logs', { proxyId: spec.proxyId, tail: 50 }));
    const tailChunks = await waitFor('the last chunk', () => {
      const chunks = fleet.logChunks.filter((chunk) => chunk.commandId === tail.commandId);
      return chunks.some((chunk) => chunk.end) ? chunks : undefined;
    });
    expect(tailChunks.flatMap((chunk) => chunk.lines)).toContainEqual({
      stream: 'stdout',
      text: `sim-image: starting ${spec.xdsNodeId}`,
    });

    const follow = succeeded(await fleet.execute('logs', { proxyId: spec.proxyId, tail: 0, follow: true }));
    succeeded(await fleet.execute('stop', { proxyId: spec.proxyId, graceSeconds: 10 }));
    const followed = await waitFor('the end of the followed stream', () => {
      const chunks = fleet.logChunks.filter((chunk) => chunk.commandId === follow.commandId);
      return chunks.some((chunk) => chunk.end) ? chunks : undefined;
    });
    expect(followed.map((chunk) => chunk.sequence)).toEqual(followed.map((_, index) => index));
    expect(followed.flatMap((chunk) => chunk.lines)).toContainEqual({
      stream: 'stdout',
      text: 'sim-image: SIGTERM',
    });
    succeeded(await fleet.execute('remove', { proxyId: spec.proxyId }));
  });
});
