import { type DeltaDiscoveryRequest, type DeltaDiscoveryResponse } from '@envoy-fleet/proto/xds';
import { EnvoySim } from '../src/envoy-sim';
import {
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  LISTENER_TYPE,
  ROUTE_TYPE,
  type XdsTypeUrl,
} from '../src/xds/xds-types';
import { AdsTestPeer, type DeltaPeerStream } from './ads-test-peer';
import { any, cluster, endpoints, listener, route, TYPE_OF_KIND } from './resources';
import { testBootstrap } from './sim-bootstrap';

type Kind = keyof typeof TYPE_OF_KIND;

function summary(request: DeltaDiscoveryRequest) {
  return {
    typeUrl: request.typeUrl,
    subscribe: request.resourceNamesSubscribe,
    unsubscribe: request.resourceNamesUnsubscribe,
    initial: request.initialResourceVersions,
    nonce: request.responseNonce,
    error: request.errorDetail?.message,
  };
}

function expected(
  typeUrl: XdsTypeUrl,
  fields: Partial<ReturnType<typeof summary>> = {},
): ReturnType<typeof summary> {
  return { typeUrl, subscribe: [], unsubscribe: [], initial: {}, nonce: '', error: undefined, ...fields };
}

function response(
  kind: Kind,
  nonce: string,
  resources: { version: string; json: Record<string, unknown> }[],
  removedResources: string[] = [],
): DeltaDiscoveryResponse {
  return {
    systemVersionInfo: `sys-${nonce}`,
    typeUrl: TYPE_OF_KIND[kind],
    nonce,
    removedResources,
    removedResourceNames: [],
    controlPlane: undefined,
    resources: resources.map(({ version, json }) => ({
      name: String(json['name'] ?? json['cluster_name']),
      resourceName: undefined,
      aliases: [],
      version,
      resource: any(kind, json),
      ttl: undefined,
      cacheControl: undefined,
      metadata: undefined,
    })),
  };
}

async function bringUp(stream: DeltaPeerStream): Promise<void> {
  // The first request of a wildcard type is the legacy wildcard: both lists empty.
  expect(summary(await stream.nextRequest())).toEqual(expected(CLUSTER_TYPE));
  stream.send(response('cluster', 'n1', [{ version: 'c-1', json: cluster('backend') }]));
  expect(summary(await stream.nextRequest())).toEqual(expected(ENDPOINT_TYPE, { subscribe: ['backend'] }));
  expect(summary(await stream.nextRequest())).toEqual(expected(CLUSTER_TYPE, { nonce: 'n1' }));
  stream.send(response('endpoint', 'n2', [{ version: 'e-1', json: endpoints('backend') }]));
  expect(summary(await stream.nextRequest())).toEqual(expected(LISTENER_TYPE));
  expect(summary(await stream.nextRequest())).toEqual(expected(ENDPOINT_TYPE, { nonce: 'n2' }));
  stream.send(response('listener', 'n3', [{ version: 'l-1', json: listener('http', 10000) }]));
  expect(summary(await stream.nextRequest())).toEqual(expected(ROUTE_TYPE, { subscribe: ['http-routes'] }));
  expect(summary(await stream.nextRequest())).toEqual(expected(LISTENER_TYPE, { nonce: 'n3' }));
  stream.send(response('route', 'n4', [{ version: 'r-1', json: route('http-routes', ['backend']) }]));
  expect(summary(await stream.nextRequest())).toEqual(expected(ROUTE_TYPE, { nonce: 'n4' }));
}

describe('envoy-sim over delta ADS', () => {
  let peer: AdsTestPeer;
  let sut: EnvoySim;

  beforeEach(async () => {
    peer = await AdsTestPeer.start();
    sut = new EnvoySim({ bootstrap: testBootstrap(peer.port, 'delta'), backoff: { baseMs: 20, maxMs: 100 } });
  });

  afterEach(async () => {
    await sut.stop();
    await peer.stop();
  });

  it('subscribes and ACKs with nonces only, and goes LIVE', async () => {
    await sut.start();
    await bringUp(await peer.deltaStream());
    await sut.waitForState('LIVE');
    expect(sut.state().types[LISTENER_TYPE]).toMatchObject({ version: 'sys-n3', resources: { http: 'l-1' } });
  });

  it('NACKs duplicate names with INTERNAL and keeps the versions it had', async () => {
    await sut.start();
    const stream = await peer.deltaStream();
    await bringUp(stream);
    stream.send(
      response('listener', 'n5', [
        { version: 'l-2', json: listener('http', 10001) },
        { version: 'l-2', json: listener('http', 10002) },
      ]),
    );
    const nack = await stream.nextRequest();
    expect(summary(nack)).toEqual(
      expected(LISTENER_TYPE, {
        nonce: 'n5',
        error: 'duplicate name http found among added/updated resources',
      }),
    );
    expect(nack.errorDetail?.code).toBe(13);
    expect(sut.state().types[LISTENER_TYPE].resources).toEqual({ http: 'l-1' });
  });

  it('drops what removed_resources names and unsubscribes what depended on it', async () => {
    await sut.start();
    const stream = await peer.deltaStream();
    await bringUp(stream);
    stream.send(response('cluster', 'n5', [], ['backend']));
    expect(summary(await stream.nextRequest())).toEqual(
      expected(ENDPOINT_TYPE, { unsubscribe: ['backend'] }),
    );
    expect(summary(await stream.nextRequest())).toEqual(expected(CLUSTER_TYPE, { nonce: 'n5' }));
    expect(sut.store.clusters.size).toBe(0);
  });

  it('resumes on a new stream with initial_resource_versions and * for wildcard types', async () => {
    await sut.start();
    const first = await peer.deltaStream();
    await bringUp(first);
    first.close();
    const second = await peer.deltaStream(1);
    const requests = await Promise.all([1, 2, 3, 4].map(() => second.nextRequest()));
    expect(requests[0]?.node?.id).toBe('proxy-1');
    expect(requests.map(summary)).toEqual([
      expected(CLUSTER_TYPE, { subscribe: ['*'], initial: { backend: 'c-1' } }),
      expected(ENDPOINT_TYPE, { subscribe: ['backend'], initial: { backend: 'e-1' } }),
      expected(LISTENER_TYPE, { subscribe: ['*'], initial: { http: 'l-1' } }),
      expected(ROUTE_TYPE, { subscribe: ['http-routes'], initial: { 'http-routes': 'r-1' } }),
    ]);
  });

  it('reopens an ended stream on the next xDS server of the bootstrap, in turn, resuming there', async () => {
    const other = await AdsTestPeer.start();
    const failover = new EnvoySim({
      bootstrap: testBootstrap(peer.port, 'delta', {
        alternateEndpoints: [{ host: '127.0.0.1', port: other.port }],
      }),
      backoff: { baseMs: 20, maxMs: 100 },
    });
    const servedBy: string[] = [];
    failover.on('response', (received) => servedBy.push(received.nonce));
    try {
      await failover.start();
      expect(failover.xdsTarget).toBe(`127.0.0.1:${peer.port}`);
      const first = await peer.deltaStream();
      await bringUp(first);
      first.close(0, 'replica shutting down');

      const second = await other.deltaStream();
      expect(summary(await second.nextRequest())).toEqual(
        expected(CLUSTER_TYPE, { subscribe: ['*'], initial: { backend: 'c-1' } }),
      );
      expect(failover.xdsTarget).toBe(`127.0.0.1:${other.port}`);
      second.send(response('cluster', 'm1', []));
      await failover.waitForVersion(CLUSTER_TYPE, 'sys-m1');
      second.close();

      await peer.deltaStream(1);
      expect(servedBy).toEqual(['n1', 'n2', 'n3', 'n4', 'm1']);
      expect(failover.state().types[CLUSTER_TYPE].resources).toEqual({ backend: 'c-1' });
    } finally {
      await failover.stop();
      await other.stop();
    }
  });
});
