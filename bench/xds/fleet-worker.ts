import { type EnvoySim, resolveBootstrap, SimFleet, type XdsTypeUrl } from '@envoy-fleet/envoy-sim';
import { groupOf, NODE_ID_PATTERN } from './fleet-layout';
import { type FromWorker, preciseNow, type ToWorker } from './worker-protocol';

/**
 * The simulated fleet, run in a process of its own (forked by the orchestrator) so that the xds-server's
 * CPU and memory are measured apart from the clients'. It starts the fleet, reports when every proxy is
 * LIVE, and for a change reports when each proxy sent the ACK of the last version the change needed.
 */

function send(message: FromWorker): void {
  process.send?.(message);
}

let fleet: SimFleet | undefined;

async function start(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const bootstrap = resolveBootstrap(undefined, {
    nodeId: 'bench',
    cluster: 'bench',
    xdsHost: '127.0.0.1',
    xdsPort: message.xdsPort,
    mode: message.mode,
    // Waiting forever: a slow control plane must show as slow, not as proxies giving up on it.
    initialFetchTimeoutMs: 0,
  });
  fleet = new SimFleet({
    count: message.count,
    bootstrap,
    nodeIdPattern: NODE_ID_PATTERN,
    streamsPerChannel: message.streamsPerChannel,
  });
  const startedAt = preciseNow();
  await fleet.start();
  await fleet.waitForState('LIVE', message.timeoutMs);
  const summary = fleet.summary();
  send({ type: 'live', elapsedMs: preciseNow() - startedAt, live: summary.live, nacks: summary.nacked });
}

function expect(message: Extract<ToWorker, { type: 'expect' }>, groups: number): void {
  const running = fleet;
  if (running === undefined) throw new Error('the fleet is not started');
  const ackedAt: number[] = [];
  let pending = running.sims.length;
  const nacksBefore = running.summary().nacked;
  const detach: (() => void)[] = [];
  const unconverged = new Set<number>();
  const finish = (): void => {
    clearTimeout(timer);
    for (const off of detach) off();
    const stuck = [...unconverged].slice(0, 3).map((index) => {
      const sim = running.sims[index] as EnvoySim;
      const wanted = message.versions[groupOf(index + 1, groups)] ?? {};
      const held = Object.keys(wanted).map(
        (typeUrl) =>
          `${typeUrl.split('.').pop()} ${sim.acceptedVersion(typeUrl as XdsTypeUrl)} (expected ${wanted[typeUrl]})`,
      );
      return `${sim.nodeId} ${sim.connected ? 'connected' : 'disconnected'}: ${held.join(', ')}`;
    });
    send({
      type: 'converged',
      ackedAt,
      missing: pending,
      stuck,
      nacks: running.summary().nacked - nacksBefore,
    });
  };
  running.sims.forEach((sim, index) => {
    const wanted = message.versions[groupOf(index + 1, groups)];
    if (wanted === undefined) throw new Error(`no expected versions for proxy ${index + 1}`);
    const waiting = new Set(Object.keys(wanted));
    unconverged.add(index);
    const onAck = (event: { typeUrl: XdsTypeUrl; version: string }): void => {
      if (wanted[event.typeUrl] !== event.version || !waiting.delete(event.typeUrl)) return;
      if (waiting.size > 0) return;
      ackedAt.push(preciseNow());
      unconverged.delete(index);
      sim.off('ack', onAck);
      pending -= 1;
      if (pending === 0) finish();
    };
    sim.on('ack', onAck);
    detach.push(() => sim.off('ack', onAck));
  });
  const timer = setTimeout(finish, message.timeoutMs);
  send({ type: 'armed' });
}

let groups = 1;
process.on('message', (message: ToWorker) => {
  const handle = async (): Promise<void> => {
    switch (message.type) {
      case 'start':
        groups = message.groups;
        await start(message);
        return;
      case 'expect':
        expect(message, groups);
        return;
      case 'stop':
        await fleet?.stop();
        process.disconnect();
        return;
    }
  };
  handle().catch((error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
});
