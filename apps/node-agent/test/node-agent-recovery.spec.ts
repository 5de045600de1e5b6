import { randomUUID } from 'node:crypto';
import type { AgentCommandResult } from '@envoy-fleet/domain';
import type { RunningApp } from '@envoy-fleet/telemetry';
import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { proxySpec, startAgent, uniqueGroup } from './support/agent-fixture';
import { DockerRelay } from './support/docker-relay';
import { FakeFleetManager, waitFor } from './support/fake-fleet-manager';
import {
  docker,
  TEST_IMAGE,
  TEST_LABEL_KEY,
  TEST_LABEL_VALUE,
  removeNodeContainers,
} from './support/test-image';

function containerIdOf(result: AgentCommandResult): string {
  if (!result.ok || result.containerId === null)
    throw new Error(`command ${result.kind} gave no container: ${JSON.stringify(result)}`);
  return result.containerId;
}

async function isRunning(containerId: string): Promise<boolean> {
  return (await docker().getContainer(containerId).inspect()).State.Running;
}

describe('node-agent: reconciliation, observed failures and outages', () => {
  const nodeId = randomUUID();
  const group = uniqueGroup();
  let nats: PrivateNatsServer;
  let fleet: FakeFleetManager;
  let agent: RunningApp | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    fleet = await FakeFleetManager.start(nats.url, nodeId);
    agent = await startAgent(nats.url, nodeId);
  });

  afterAll(async () => {
    await agent?.close();
    await fleet.close();
    await nats.dispose();
    await removeNodeContainers(nodeId);
  });

  it('rebuilds its state from Docker after a restart, leaving running containers alone', async () => {
    const specs = await Promise.all([1, 2].map((ordinal) => proxySpec(group, ordinal)));
    const ids = await Promise.all(
      specs.map(async (spec) => containerIdOf(await fleet.execute('create', spec))),
    );
    await agent?.close();
    agent = undefined;
    const passesBefore = fleet.payloads('agent.reconciled').length;

    agent = await startAgent(nats.url, nodeId);

    const report = await fleet.report(
      'agent.reconciled',
      () => fleet.payloads('agent.reconciled').length > passesBefore,
    );
    const latest = fleet.payloads('agent.reconciled').at(-1) ?? report;
    expect(latest.recreated).toEqual([]);
    const ours = latest.containers
      .filter((container) => ids.includes(container.containerId))
      .sort((a, b) => a.containerName.localeCompare(b.containerName));
    expect(
      ours.map(({ containerId, proxyId, state, status }) => ({ containerId, proxyId, state, status })),
    ).toEqual(
      specs.map((spec, index) => ({
        containerId: ids[index],
        proxyId: spec.proxyId,
        state: 'running',
        status: 'running',
      })),
    );
    expect(await Promise.all(ids.map(isRunning))).toEqual([true, true]);
    // The new agent knows the containers from their labels alone, and commands reach them.
    const stop = await fleet.execute('stop', { proxyId: specs[0]?.proxyId ?? '', graceSeconds: 5 });
    expect(stop).toMatchObject({ ok: true, changed: true, containerId: ids[0] });
  });

  it('does not restart a container again for a restart redelivered after the agent itself restarted', async () => {
    const spec = await proxySpec(group, 8);
    const id = containerIdOf(await fleet.execute('create', spec));
    const startedAt = async () => Date.parse((await docker().getContainer(id).inspect()).State.StartedAt);
    const created = await startedAt();
    const issuedAt = new Date().toISOString();
    const restart = { proxyId: spec.proxyId, graceSeconds: 5 };

    const first = await fleet.result(await fleet.send('restart', restart, randomUUID(), issuedAt));
    const restarted = await startedAt();
    await agent?.close();
    agent = await startAgent(nats.url, nodeId);
    // The new agent has no memory of the first delivery. JetStream drops a resend of the same message id,
    // so the redelivery comes under a fresh one: the agent decides by the command's issue time alone.
    const redelivered = await fleet.result(await fleet.send('restart', restart, randomUUID(), issuedAt));
    const afterRedelivery = await startedAt();
    const later = await fleet.execute('restart', restart);

    expect(first).toMatchObject({ ok: true, changed: true, containerId: id });
    expect(restarted > created).toBe(true);
    expect(redelivered).toMatchObject({ ok: true, changed: false, containerId: id });
    expect(afterRedelivery).toBe(restarted);
    expect(later).toMatchObject({ ok: true, changed: true, containerId: id });
    expect((await startedAt()) > restarted).toBe(true);
  });

  it('creates a wanted container again when it is removed from outside', async () => {
    const spec = await proxySpec(group, 3);
    const removedId = containerIdOf(await fleet.execute('create', spec));

    await docker().getContainer(removedId).remove({ force: true });

    const report = await fleet.report('agent.reconciled', (pass) => pass.recreated.includes(spec.proxyId));
    const replacement = report.containers.find((container) => container.proxyId === spec.proxyId);
    expect(replacement).toMatchObject({ state: 'running' });
    expect(replacement?.containerId).not.toBe(removedId);
    await fleet.report(
      'agent.container.changed',
      (change) => change.containerId === removedId && change.change === 'destroy',
    );
  });

  it('reports a container killed from outside at once, as a failure', async () => {
    const spec = await proxySpec(group, 4, { restartPolicy: 'no' });
    const id = containerIdOf(await fleet.execute('create', spec));
    await waitFor('the container to run', async () => ((await isRunning(id)) ? true : undefined));

    await docker().getContainer(id).kill({ signal: 'SIGKILL' });

    const died = await fleet.report(
      'agent.container.changed',
      (change) => change.containerId === id && change.change === 'die',
    );
    expect(died).toMatchObject({ proxyId: spec.proxyId, exitCode: 137, status: 'failed' });
  });

  it('reports an out-of-memory kill', async () => {
    const spec = await proxySpec(group, 5, {
      restartPolicy: 'no',
      resources: { memoryMib: 64, cpuMillicores: 500 },
      env: { SIM_ALLOCATE_MIB: '512' },
    });

    const id = containerIdOf(await fleet.execute('create', spec));

    const oom = await fleet.report(
      'agent.container.changed',
      (change) => change.containerId === id && change.change === 'oom',
    );
    const died = await fleet.report(
      'agent.container.changed',
      (change) => change.containerId === id && change.change === 'die',
    );
    expect(oom).toMatchObject({ proxyId: spec.proxyId, status: 'failed' });
    expect(died).toMatchObject({ exitCode: 137, status: 'failed' });
    expect((await docker().getContainer(id).inspect()).State.OOMKilled).toBe(true);
  });

  it('reports containers it does not manage without touching them', async () => {
    const name = `envoy-proxy-${group}-900`;
    const stranger = await docker().createContainer({
      name,
      Image: TEST_IMAGE,
      Labels: { [TEST_LABEL_KEY]: TEST_LABEL_VALUE },
    });

    const report = await fleet.report('agent.reconciled', (pass) => pass.unknown.includes(name));

    expect(report.removedUnknown).toEqual([]);
    expect(report.containers).toContainEqual(expect.objectContaining({ containerName: name, proxyId: null }));
    expect((await stranger.inspect()).Name).toBe(`/${name}`);
    const taken = await fleet.execute('create', await proxySpec(group, 900));
    expect(taken).toMatchObject({
      ok: false,
      error: { code: 'conflict', message: expect.stringContaining(name) },
    });
    await stranger.remove({ force: true });
  });

  it('keeps its containers through a NATS outage, and reports and takes commands once NATS is back', async () => {
    const spec = await proxySpec(group, 6, { restartPolicy: 'no' });
    const id = containerIdOf(await fleet.execute('create', spec));
    await waitFor('the container to run', async () => ((await isRunning(id)) ? true : undefined));

    await nats.stop();
    await docker().getContainer(id).kill({ signal: 'SIGKILL' });
    const other = await proxySpec(group, 7);
    await waitFor('the container to die', async () => ((await isRunning(id)) ? undefined : true));
    await nats.start();

    // The death seen while NATS was down arrives once it is back.
    const died = await fleet.report(
      'agent.container.changed',
      (change) => change.containerId === id && change.change === 'die',
    );
    expect(died).toMatchObject({ exitCode: 137 });
    const created = await waitFor('a command taken after the outage', async () => {
      const result = await fleet.execute('create', other).catch(() => undefined);
      return result;
    });
    expect(created).toMatchObject({ ok: true, changed: true });
    const beforeOutage = fleet.heartbeats.length;
    await waitFor('heartbeats again', () => (fleet.heartbeats.length > beforeOutage ? true : undefined));
  });
});

describe('node-agent: the Docker engine goes away and comes back', () => {
  const nodeId = randomUUID();
  const group = uniqueGroup();
  let nats: PrivateNatsServer;
  let fleet: FakeFleetManager;
  let relay: DockerRelay;
  let agent: RunningApp;

  beforeAll(async () => {
    nats = await startNatsServer();
    fleet = await FakeFleetManager.start(nats.url, nodeId);
    relay = await DockerRelay.start();
    agent = await startAgent(nats.url, nodeId, { DOCKER_HOST: relay.dockerHost });
  });

  afterAll(async () => {
    await agent.close();
    await relay.cut();
    await fleet.close();
    await nats.dispose();
    await removeNodeContainers(nodeId);
  });

  it('says so in its heartbeats, then reconnects and reconciles what changed meanwhile', async () => {
    const spec = await proxySpec(group, 1, { restartPolicy: 'no' });
    const id = containerIdOf(await fleet.execute('create', spec));
    await waitFor('the container to run', async () => ((await isRunning(id)) ? true : undefined));

    await relay.cut();
    const beatsBefore = fleet.heartbeats.length;
    await waitFor('a heartbeat without Docker', () =>
      fleet.heartbeats.slice(beatsBefore).find((beat) => beat.nodeId === nodeId && !beat.dockerReachable),
    );
    await docker().getContainer(id).kill({ signal: 'SIGKILL' });
    const passesBefore = fleet.payloads('agent.reconciled').length;
    await relay.resume();

    const pass = await waitFor('a reconciliation that sees the killed container', () =>
      fleet
        .payloads('agent.reconciled')
        .slice(passesBefore)
        .find((report) =>
          report.containers.some((container) => container.containerId === id && container.state === 'exited'),
        ),
    );
    expect(pass.containers.find((container) => container.containerId === id)).toMatchObject({
      proxyId: spec.proxyId,
    });
    const stopped = await fleet.execute('start', { proxyId: spec.proxyId });
    expect(stopped).toMatchObject({ ok: true, changed: true, containerId: id });
    await fleet.report(
      'agent.container.changed',
      (change) => change.containerId === id && change.change === 'start',
    );
  });
});
