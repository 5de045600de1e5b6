import { type DiscoveryRequest } from '@envoy-fleet/proto/xds';
import { EnvoySim } from '../src/envoy-sim';
import { CLUSTER_TYPE, ENDPOINT_TYPE, LISTENER_TYPE, ROUTE_TYPE } from '../src/xds/xds-types';
import { AdsTestPeer, type SotwPeerStream } from './ads-test-peer';
import { any, cluster, endpoints, listener, route } from './resources';
import { testBootstrap } from './sim-bootstrap';

function expectRequest(request: DiscoveryRequest, expected: Partial<DiscoveryRequest>): void {
  expect({
    typeUrl: request.typeUrl,
    versionInfo: request.versionInfo,
    resourceNames: request.resourceNames,
    responseNonce: request.responseNonce,
    errorDetail: request.errorDetail,
  }).toEqual({ versionInfo: '', resourceNames: [], responseNonce: '', errorDetail: undefined, ...expected });
}

async function admin(
  sim: EnvoySim,
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: string }> {
  const address = sim.adminAddress;
  if (!address) throw new Error('the sim has no admin endpoint');
  const response = await fetch(`http://127.0.0.1:${address.port}${path}`, init);
  return { status: response.status, body: await response.text() };
}

/** Drives a sim through CDS → EDS → LDS → RDS as an xDS server would, checking each request. */
async function bringUp(stream: SotwPeerStream): Promise<void> {
  expectRequest(await stream.nextRequest(), { typeUrl: CLUSTER_TYPE });
  stream.send({
    versionInfo: 'c1',
    resources: [any('cluster', cluster('backend'))],
    canary: false,
    typeUrl: CLUSTER_TYPE,
    nonce: 'n1',
    controlPlane: undefined,
  });
  // Envoy asks EDS for the new cluster before it ACKs CDS (EDS is paused while CDS applies).
  expectRequest(await stream.nextRequest(), { typeUrl: ENDPOINT_TYPE, resourceNames: ['backend'] });
  expectRequest(await stream.nextRequest(), {
    typeUrl: CLUSTER_TYPE,
    versionInfo: 'c1',
    responseNonce: 'n1',
  });
  stream.send({
    versionInfo: 'e1',
    resources: [any('endpoint', endpoints('backend'))],
    canary: false,
    typeUrl: ENDPOINT_TYPE,
    nonce: 'n2',
    controlPlane: undefined,
  });
  // The cluster warmed: the cluster manager is initialized and LDS starts, as a wildcard.
  expectRequest(await stream.nextRequest(), { typeUrl: LISTENER_TYPE });
  expectRequest(await stream.nextRequest(), {
    typeUrl: ENDPOINT_TYPE,
    versionInfo: 'e1',
    resourceNames: ['backend'],
    responseNonce: 'n2',
  });
  stream.send({
    versionInfo: 'l1',
    resources: [any('listener', listener('http', 10000))],
    canary: false,
    typeUrl: LISTENER_TYPE,
    nonce: 'n3',
    controlPlane: undefined,
  });
  expectRequest(await stream.nextRequest(), { typeUrl: ROUTE_TYPE, resourceNames: ['http-routes'] });
  expectRequest(await stream.nextRequest(), {
    typeUrl: LISTENER_TYPE,
    versionInfo: 'l1',
    responseNonce: 'n3',
  });
  stream.send({
    versionInfo: 'r1',
    resources: [any('route', route('http-routes', ['backend']))],
    canary: false,
    typeUrl: ROUTE_TYPE,
    nonce: 'n4',
    controlPlane: undefined,
  });
  expectRequest(await stream.nextRequest(), {
    typeUrl: ROUTE_TYPE,
    versionInfo: 'r1',
    resourceNames: ['http-routes'],
    responseNonce: 'n4',
  });
}

describe('envoy-sim over state-of-the-world ADS', () => {
  let peer: AdsTestPeer;
  let sut: EnvoySim;

  beforeEach(async () => {
    peer = await AdsTestPeer.start();
    sut = new EnvoySim({ bootstrap: testBootstrap(peer.port, 'sotw'), backoff: { baseMs: 20, maxMs: 100 } });
  });

  afterEach(async () => {
    await sut.stop();
    await peer.stop();
  });

  it('subscribes CDS, then EDS, LDS and RDS by name, ACKs each response and goes LIVE', async () => {
    await sut.start();
    const stream = await peer.sotwStream();
    expect((await admin(sut, '/ready')).body).toBe('PRE_INITIALIZING\n');
    await bringUp(stream);
    await sut.waitForState('LIVE');

    expect(await admin(sut, '/ready')).toEqual({ status: 200, body: 'LIVE\n' });
    const stats = (await admin(sut, '/stats')).body;
    expect(stats).toContain('cluster_manager.cds.update_success: 1\n');
    expect(stats).toContain('listener_manager.lds.update_success: 1\n');
    expect(stats).toContain('cluster.backend.update_success: 1\n');
    expect(stats).toContain('http.http.rds.http-routes.update_success: 1\n');
    expect(stats).toContain('control_plane.connected_state: 1\n');
    expect(stats).toContain('server.state: 0\n');
    const prometheus = (await admin(sut, '/stats/prometheus')).body;
    expect(prometheus).toContain(
      '# TYPE envoy_cluster_manager_cds_update_success counter\nenvoy_cluster_manager_cds_update_success 1\n',
    );
    expect(prometheus).toContain(
      'envoy_http_rds_update_success{envoy_http_conn_manager_prefix="http",envoy_rds_route_config="http-routes"} 1',
    );
  });

  it('sends the node only on the first request of a stream', async () => {
    await sut.start();
    const stream = await peer.sotwStream();
    const first = await stream.nextRequest();
    expect(first.node).toMatchObject({
      id: 'proxy-1',
      cluster: 'edge',
      locality: { region: 'eu', zone: 'eu-1a', subZone: '' },
      userAgentName: 'envoy',
      userAgentBuildVersion: { version: { majorNumber: 1, minorNumber: 31, patch: 0 } },
    });
    expect(first.node?.clientFeatures).toContain('xds.config.supports-resource-in-sotw');
    stream.send({
      versionInfo: 'c1',
      resources: [],
      canary: false,
      typeUrl: CLUSTER_TYPE,
      nonce: 'n1',
      controlPlane: undefined,
    });
    expect((await stream.nextRequest()).node).toBeUndefined();
  });

  it("NACKs with INTERNAL, the last accepted version and Envoy's message, and keeps the last good config", async () => {
    await sut.start();
    const stream = await peer.sotwStream();
    await bringUp(stream);
    stream.send({
      versionInfo: 'l2',
      resources: [any('listener', listener('http', 10000)), any('listener', listener('other', 10000))],
      canary: false,
      typeUrl: LISTENER_TYPE,
      nonce: 'n5',
      controlPlane: undefined,
    });
    const nack = await stream.nextRequest();
    expectRequest(nack, {
      typeUrl: LISTENER_TYPE,
      versionInfo: 'l1',
      responseNonce: 'n5',
      errorDetail: {
        code: 13,
        message:
          "Error adding/updating listener(s) other: error adding listener: 'other' has duplicate address '0.0.0.0:10000' as existing listener\n",
        details: [],
      },
    });
    expect(sut.state().types[LISTENER_TYPE]).toMatchObject({
      version: 'l1',
      lastNack: { nonce: 'n5', version: 'l1' },
    });
    const dump = JSON.parse((await admin(sut, '/config_dump')).body) as {
      configs: Record<string, unknown>[];
    };
    const listeners = dump.configs.find(
      (config) => config['@type'] === 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
    );
    expect(listeners).toMatchObject({
      version_info: 'l1',
      dynamic_listeners: [
        {
          name: 'http',
          active_state: { version_info: 'l1', listener: { '@type': LISTENER_TYPE, name: 'http' } },
        },
        {
          name: 'other',
          error_state: {
            details: expect.stringContaining('duplicate address') as unknown,
            version_info: 'l2',
          },
        },
      ],
    });
    expect((await admin(sut, '/stats?filter=^listener_manager.lds.update_rejected$')).body).toBe(
      'listener_manager.lds.update_rejected: 1\n',
    );

    // A later valid version is ACKed again.
    stream.send({
      versionInfo: 'l3',
      resources: [any('listener', listener('http', 10000))],
      canary: false,
      typeUrl: LISTENER_TYPE,
      nonce: 'n6',
      controlPlane: undefined,
    });
    expectRequest(await stream.nextRequest(), {
      typeUrl: LISTENER_TYPE,
      versionInfo: 'l3',
      responseNonce: 'n6',
    });
  });

  it('NACKs a resource the codec rejects, applying nothing of the response', async () => {
    await sut.start();
    const stream = await peer.sotwStream();
    await stream.nextRequest();
    stream.send({
      versionInfo: 'c1',
      resources: [
        any('cluster', cluster('good')),
        { typeUrl: CLUSTER_TYPE, value: Uint8Array.from([0x0a, 0x05, 0x61]) },
      ],
      canary: false,
      typeUrl: CLUSTER_TYPE,
      nonce: 'n1',
      controlPlane: undefined,
    });
    // A rejected first CDS response still ends the cluster manager's initialization: LDS starts.
    expectRequest(await stream.nextRequest(), { typeUrl: LISTENER_TYPE });
    const nack = await stream.nextRequest();
    expect(nack.errorDetail?.code).toBe(13);
    expect(nack.versionInfo).toBe('');
    expect(sut.store.clusters.size).toBe(0);
  });

  it('NACKs a resource whose type does not match the response', async () => {
    await sut.start();
    const stream = await peer.sotwStream();
    await stream.nextRequest();
    stream.send({
      versionInfo: 'c1',
      resources: [any('listener', listener('l', 1))],
      canary: false,
      typeUrl: CLUSTER_TYPE,
      nonce: 'n1',
      controlPlane: undefined,
    });
    expectRequest(await stream.nextRequest(), { typeUrl: LISTENER_TYPE });
    expect((await stream.nextRequest()).errorDetail?.message).toBe(
      `${LISTENER_TYPE} does not match the message-wide type URL ${CLUSTER_TYPE} in DiscoveryResponse`,
    );
  });

  it('reconnects with backoff and resends every subscription with the versions it holds, without nonces', async () => {
    await sut.start();
    const first = await peer.sotwStream();
    await bringUp(first);
    const disconnected = new Promise((resolve) => sut.once('disconnected', resolve));
    first.close();
    await expect(disconnected).resolves.toMatchObject({ code: 14 });

    const second = await peer.sotwStream(1);
    const requests = [
      await second.nextRequest(),
      await second.nextRequest(),
      await second.nextRequest(),
      await second.nextRequest(),
    ];
    expect(requests[0]?.node?.id).toBe('proxy-1');
    expect(
      requests.map((request) => [
        request.typeUrl,
        request.versionInfo,
        request.resourceNames,
        request.responseNonce,
      ]),
    ).toEqual([
      [CLUSTER_TYPE, 'c1', [], ''],
      [ENDPOINT_TYPE, 'e1', ['backend'], ''],
      [LISTENER_TYPE, 'l1', [], ''],
      [ROUTE_TYPE, 'r1', ['http-routes'], ''],
    ]);
    expect(sut.serverState()).toBe('LIVE');
  });

  it('unsubscribes EDS when the cluster goes away and forgets its endpoints', async () => {
    await sut.start();
    const stream = await peer.sotwStream();
    await bringUp(stream);
    stream.send({
      versionInfo: 'c2',
      resources: [],
      canary: false,
      typeUrl: CLUSTER_TYPE,
      nonce: 'n5',
      controlPlane: undefined,
    });
    expectRequest(await stream.nextRequest(), {
      typeUrl: ENDPOINT_TYPE,
      versionInfo: 'e1',
      resourceNames: [],
      responseNonce: 'n2',
    });
    expectRequest(await stream.nextRequest(), {
      typeUrl: CLUSTER_TYPE,
      versionInfo: 'c2',
      responseNonce: 'n5',
    });
    expect(sut.store.endpoints.size).toBe(0);
  });

  it('switches to rejecting a type through POST /envoy-sim/reject, and back', async () => {
    await sut.start();
    const stream = await peer.sotwStream();
    await bringUp(stream);
    expect(await admin(sut, '/envoy-sim/reject?all=rds', { method: 'POST' })).toEqual({
      status: 200,
      body: 'OK\n',
    });
    stream.send({
      versionInfo: 'r2',
      resources: [any('route', route('http-routes', ['backend', 'other']))],
      canary: false,
      typeUrl: ROUTE_TYPE,
      nonce: 'n5',
      controlPlane: undefined,
    });
    const nack = await stream.nextRequest();
    expect(nack).toMatchObject({
      versionInfo: 'r1',
      responseNonce: 'n5',
      errorDetail: { code: 13, message: 'simulated rejection of every rds update (envoy-sim --reject-all)' },
    });
    expect((await admin(sut, '/stats?filter=rds.*update_rejected')).body).toBe(
      'http.http.rds.http-routes.update_rejected: 1\n',
    );

    await admin(sut, '/envoy-sim/reject', { method: 'POST' });
    stream.send({
      versionInfo: 'r3',
      resources: [any('route', route('http-routes', ['backend', 'other']))],
      canary: false,
      typeUrl: ROUTE_TYPE,
      nonce: 'n6',
      controlPlane: undefined,
    });
    expect(await stream.nextRequest()).toMatchObject({
      versionInfo: 'r3',
      responseNonce: 'n6',
      errorDetail: undefined,
    });
  });

  it('goes on with start-up when the first CDS and RDS responses are rejected, as Envoy does', async () => {
    sut.setRejectPolicy({ missingExtensions: [], rejectAllOf: [CLUSTER_TYPE, ROUTE_TYPE] });
    await sut.start();
    const stream = await peer.sotwStream();
    await stream.nextRequest();
    stream.send({
      versionInfo: 'c1',
      resources: [any('cluster', cluster('backend'))],
      canary: false,
      typeUrl: CLUSTER_TYPE,
      nonce: 'n1',
      controlPlane: undefined,
    });
    // The cluster manager initializes without the rejected clusters: LDS starts, then the NACK goes out.
    expectRequest(await stream.nextRequest(), { typeUrl: LISTENER_TYPE });
    expect((await stream.nextRequest()).errorDetail?.code).toBe(13);
    stream.send({
      versionInfo: 'l1',
      resources: [any('listener', listener('http', 10000))],
      canary: false,
      typeUrl: LISTENER_TYPE,
      nonce: 'n2',
      controlPlane: undefined,
    });
    expectRequest(await stream.nextRequest(), { typeUrl: ROUTE_TYPE, resourceNames: ['http-routes'] });
    expectRequest(await stream.nextRequest(), {
      typeUrl: LISTENER_TYPE,
      versionInfo: 'l1',
      responseNonce: 'n2',
    });
    expect(sut.serverState()).toBe('INITIALIZING');
    stream.send({
      versionInfo: 'r1',
      resources: [any('route', route('http-routes', ['backend']))],
      canary: false,
      typeUrl: ROUTE_TYPE,
      nonce: 'n3',
      controlPlane: undefined,
    });
    expect((await stream.nextRequest()).errorDetail?.code).toBe(13);
    expect(sut.serverState()).toBe('LIVE');
  });

  it('answers /quitquitquit only to POST', async () => {
    await sut.start();
    const quit = new Promise((resolve) => sut.once('quit', () => resolve('quit')));
    expect(await admin(sut, '/quitquitquit')).toEqual({
      status: 400,
      body: 'Method GET not allowed, POST required.\n',
    });
    expect(await admin(sut, '/quitquitquit', { method: 'POST' })).toEqual({ status: 200, body: 'OK\n' });
    await expect(quit).resolves.toBe('quit');
  });
});
