import { SimFleet } from '../src/sim-fleet';
import { CLUSTER_TYPE } from '../src/xds/xds-types';
import { AdsTestPeer } from './ads-test-peer';
import { testBootstrap } from './sim-bootstrap';

describe(SimFleet.name, () => {
  let peer: AdsTestPeer;
  let sut: SimFleet | undefined;

  beforeEach(async () => {
    peer = await AdsTestPeer.start();
  });

  afterEach(async () => {
    await sut?.stop();
    await peer.stop();
  });

  it('runs many Envoys with node ids from the pattern, several streams per gRPC channel', async () => {
    sut = new SimFleet({
      count: 6,
      bootstrap: { ...testBootstrap(peer.port, 'sotw'), admin: undefined },
      nodeIdPattern: 'edge-{n}',
      streamsPerChannel: 3,
    });
    await sut.start();
    expect(sut.channelCount).toBe(2);
    const streams = await Promise.all([0, 1, 2, 3, 4, 5].map((index) => peer.sotwStream(index)));
    const first = await Promise.all(streams.map((stream) => stream.nextRequest()));
    expect(first.map((request) => request.node?.id).sort()).toEqual([
      'edge-1',
      'edge-2',
      'edge-3',
      'edge-4',
      'edge-5',
      'edge-6',
    ]);
    for (const [index, stream] of streams.entries()) {
      stream.send({
        versionInfo: 'c1',
        resources: [],
        canary: false,
        typeUrl: CLUSTER_TYPE,
        nonce: `n${index}`,
        controlPlane: undefined,
      });
    }
    await sut.waitForVersion(CLUSTER_TYPE, 'c1', 5_000);
    expect(sut.summary()).toEqual({ total: 6, connected: 6, live: 0, nacked: 0 });
  });

  it('gives each member its own admin port from the base', () => {
    sut = new SimFleet({ count: 2, bootstrap: testBootstrap(peer.port, 'sotw'), adminPortBase: 19100 });
    expect(sut.sims.map((sim) => sim.options.bootstrap.admin?.port)).toEqual([19100, 19101]);
    expect(
      () => new SimFleet({ count: 2, bootstrap: testBootstrap(peer.port, 'sotw'), nodeIdPattern: 'fixed' }),
    ).toThrow('node id pattern "fixed" must contain {n}');
    sut = undefined;
  });
});
