import { randomUUID } from 'node:crypto';
import type { AgentCommandResult } from '@envoy-fleet/domain';
import type { RunningApp } from '@envoy-fleet/telemetry';
import { startNatsServer, type PrivateNatsServer } from '@envoy-fleet/test-kit/nats';
import { proxySpec, startAgent, uniqueGroup } from './support/agent-fixture';
import { FakeFleetManager, waitFor } from './support/fake-fleet-manager';
import { PrivateDockerd } from './support/private-dockerd';
import { TEST_IMAGE } from './support/test-image';

function containerIdOf(result: AgentCommandResult): string {
  if (!result.ok || result.containerId === null)
    throw new Error(`command ${result.kind} gave no container: ${JSON.stringify(result)}`);
  return result.containerId;
}

/**
 * The agent's Docker daemon really restarts: a dockerd of the suite's own (its own socket, data and
 * exec roots, containerd and pid file) is stopped with SIGTERM, which stops its containers, and started
 * again, which brings back those whose restart policy says so. The machine's engine is not touched.
 */
describe('node-agent: its Docker daemon is stopped and started again', () => {
  const nodeId = randomUUID();
  const group = uniqueGroup();
  let nats: PrivateNatsServer;
  let fleet: FakeFleetManager;
  let dockerd: PrivateDockerd;
  let agent: RunningApp | undefined;

  beforeAll(async () => {
    nats = await startNatsServer();
    fleet = await FakeFleetManager.start(nats.url, nodeId);
    dockerd = await PrivateDockerd.start();
    await dockerd.loadImage(TEST_IMAGE);
    agent = await startAgent(nats.url, nodeId, { DOCKER_HOST: dockerd.dockerHost });
  }, 180_000);

  afterAll(async () => {
    await agent?.close();
    await fleet?.close();
    await nats?.dispose();
    await dockerd?.dispose();
  }, 120_000);

  const isRunning = async (id: string): Promise<boolean> =>
    (await dockerd.engine().getContainer(id).inspect()).State.Running;

  it('reports Docker gone, then reconnects, reconciles, reports what the daemon brought back and takes commands', async () => {
    const spec = await proxySpec(group, 1, { restartPolicy: 'unless-stopped' });
    const id = containerIdOf(await fleet.execute('create', spec));
    await waitFor('the container to run on the private engine', async () =>
      (await isRunning(id)) ? true : undefined,
    );

    const startedBefore = Date.parse((await dockerd.engine().getContainer(id).inspect()).State.StartedAt);

    await dockerd.stop();

    const beatsBefore = fleet.heartbeats.length;
    await waitFor('a heartbeat without Docker', () =>
      fleet.heartbeats.slice(beatsBefore).find((beat) => !beat.dockerReachable),
    );
    const passesBefore = fleet.payloads('agent.reconciled').length;

    await dockerd.restart();

    // The daemon restarts the container (unless-stopped); the agent reconnects and reconciles it.
    const pass = await waitFor('a reconciliation after the daemon came back', () =>
      fleet
        .payloads('agent.reconciled')
        .slice(passesBefore)
        .find((report) =>
          report.containers.some(
            (container) => container.containerId === id && container.state === 'running',
          ),
        ),
    );
    expect(pass.containers.find((container) => container.containerId === id)).toMatchObject({
      proxyId: spec.proxyId,
      status: 'running',
    });
    expect(pass.recreated).toEqual([]);
    const startedAfter = Date.parse((await dockerd.engine().getContainer(id).inspect()).State.StartedAt);
    expect(startedAfter > startedBefore).toBe(true);
    const beat = await waitFor('a heartbeat with Docker and the container running', () =>
      fleet.heartbeats
        .slice(beatsBefore)
        .find(
          (candidate) =>
            candidate.dockerReachable &&
            candidate.containers.some(
              (container) => container.containerId === id && container.state === 'running',
            ),
        ),
    );
    expect(beat.nodeId).toBe(nodeId);

    // Commands reach the new daemon, and its events stream is followed again.
    const changesBefore = fleet.payloads('agent.container.changed').length;
    const stop = await fleet.execute('stop', { proxyId: spec.proxyId, graceSeconds: 5 });
    expect(stop).toMatchObject({ ok: true, changed: true, containerId: id });
    const died = await waitFor('the die of the stopped container', () =>
      fleet
        .payloads('agent.container.changed')
        .slice(changesBefore)
        .find((change) => change.containerId === id && change.change === 'die'),
    );
    expect(died.status).toBe('stopped');
    expect(await isRunning(id)).toBe(false);
  }, 240_000);
});
