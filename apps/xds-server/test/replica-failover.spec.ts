import {
  CLUSTER_TYPE as CDS,
  ENDPOINT_TYPE as EDS,
  EnvoySim,
  LISTENER_TYPE as LDS,
  resolveBootstrap,
  ROUTE_TYPE as RDS,
} from '@envoy-fleet/envoy-sim';
import type { DeltaDiscoveryRequest, DeltaDiscoveryResponse } from '@envoy-fleet/proto/xds';
import { freePort } from '@envoy-fleet/test-kit/net';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { clusterResource, edgeSnapshot, endpointResource } from '@envoy-fleet/test-kit/snapshots';
import { uniqueNodeId, XdsTestBed } from './support/xds-harness';
import { XdsProcess } from './support/xds-process';

interface Received {
  readonly replica: string | undefined;
  readonly typeUrl: string;
  readonly names: readonly string[];
}

/**
 * Two xds-server replica processes on one Redis and one NATS namespace. A proxy (envoy-sim, delta ADS,
 * both replicas in its bootstrap) takes a change from the one it is connected to; that replica is stopped
 * (SIGTERM: GOAWAY, streams ended with OK), the proxy reconnects to the other and converges on a change
 * made meanwhile without being sent again anything it already holds (initial_resource_versions).
 */
describe('xds-server replicas: failover of a delta proxy', () => {
  let bed: XdsTestBed;
  let replicaA: XdsProcess;
  let replicaB: XdsProcess;
  let ports: { a: string; b: string };
  let sim: EnvoySim | undefined;

  beforeAll(async () => {
    ports = { a: await freePort(), b: await freePort() };
    bed = await XdsTestBed.open('xds-failover', () => `127.0.0.1:${ports.a}`);
    const env = async (replica: string, xdsPort: string) => ({
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: await freePort(),
      XDS_HOST: '127.0.0.1',
      XDS_PORT: xdsPort,
      XDS_REPLICA_ID: replica,
      LOG_LEVEL: 'warn',
      REDIS_URL: bed.scope.redisUrl,
      REDIS_KEY_PREFIX: bed.scope.keyPrefix,
      NATS_URL: TEST_NATS_URL,
      NATS_NAMESPACE: bed.scope.natsNamespace,
    });
    [replicaA, replicaB] = await Promise.all([
      XdsProcess.start(await env('replica-a', ports.a)),
      XdsProcess.start(await env('replica-b', ports.b)),
    ]);
  }, 120_000);

  afterAll(async () => {
    await sim?.stop();
    await Promise.all([replicaA.stop(), replicaB.stop()]);
    await bed.close();
  });

  it('reconnects to the other replica and converges without a resend of what it holds', async () => {
    const nodeId = uniqueNodeId('failover');
    const servingKey = `t:acme:${nodeId}`;
    await bed.publish(servingKey, edgeSnapshot(), [nodeId]);
    const bootstrap = resolveBootstrap(undefined, {
      nodeId,
      xdsHost: '127.0.0.1',
      xdsPort: Number(ports.a),
      mode: 'delta',
      initialFetchTimeoutMs: 0,
    });
    sim = new EnvoySim({
      bootstrap: {
        ...bootstrap,
        xds: { ...bootstrap.xds, alternateEndpoints: [{ host: '127.0.0.1', port: Number(ports.b) }] },
      },
      backoff: { baseMs: 50, maxMs: 500 },
    });
    const received: Received[] = [];
    sim.on('response', (response) => {
      const delta = response as DeltaDiscoveryResponse;
      received.push({
        replica: delta.controlPlane?.identifier,
        typeUrl: delta.typeUrl,
        names: [...delta.resources.map((resource) => resource.name), ...delta.removedResources],
      });
    });
    const requests: DeltaDiscoveryRequest[] = [];
    sim.on('request', (request) => requests.push(request as DeltaDiscoveryRequest));
    await sim.start();
    await sim.waitForState('LIVE');

    const slower = {
      ...edgeSnapshot(),
      cluster: [clusterResource({ name: 'backend', connectTimeoutSeconds: 5 })],
    };
    const changed = await bed.publish(servingKey, slower);
    await sim.waitForVersion(CDS, changed.manifest.types[CDS]?.version ?? '');
    expect(new Set(received.map((response) => response.replica))).toEqual(new Set(['replica-a']));

    const requestsBefore = requests.length;
    expect(await replicaA.stop()).toBe(0);
    const moved = await bed.publish(servingKey, {
      ...slower,
      endpoint: [
        endpointResource({ clusterName: 'backend', endpoints: [{ address: '127.0.0.1', port: 9100 }] }),
      ],
    });
    await sim.waitForVersion(EDS, moved.manifest.types[EDS]?.version ?? '', 30_000);

    expect(sim.xdsTarget).toBe(`127.0.0.1:${ports.b}`);
    for (const typeUrl of [CDS, EDS, LDS, RDS] as const) {
      expect(sim.state().types[typeUrl].resources).toEqual(moved.manifest.types[typeUrl]?.resources);
    }
    const fromB = received.filter((response) => response.replica === 'replica-b');
    expect(fromB.flatMap((response) => response.names.map((name) => `${response.typeUrl} ${name}`))).toEqual([
      `${EDS} backend`,
    ]);
    const resumed = requests.slice(requestsBefore).find((request) => request.typeUrl === CDS);
    expect(resumed?.initialResourceVersions).toEqual(changed.manifest.types[CDS]?.resources);
  }, 120_000);
});
