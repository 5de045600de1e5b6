import { publishSnapshot } from '@envoy-fleet/snapshot-store';
import { deleteRedisKeys } from '@envoy-fleet/test-kit/redis';
import { encodeResource, manifestTypeOf, toTypeUrl } from '@envoy-fleet/xds';
import { ServedSnapshots } from '../src/deliveries/served-snapshots';
import { openSnapshotServices, type SnapshotServices } from './snapshot-services';

const CLUSTER = toTypeUrl('cluster');

describe(ServedSnapshots.name, () => {
  let services: SnapshotServices;
  let sut: ServedSnapshots;
  let manifestOfKey: Map<string, string>;

  const publish = async (servingKey: string, timeout: string, proxies: readonly string[]) => {
    const bytes = encodeResource('cluster', { name: 'api', type: 'EDS', connect_timeout: timeout });
    const published = await publishSnapshot(services.store, {
      servingKey,
      resources: { cluster: [{ name: 'api', bytes }] },
      proxies,
    });
    manifestOfKey.set(servingKey, published.manifestHash);
    return manifestTypeOf(published.manifest, CLUSTER).version;
  };

  beforeAll(async () => {
    services = await openSnapshotServices('fleet-manager-served-snapshots');
    sut = new ServedSnapshots(services.store);
    manifestOfKey = new Map();
  });

  afterAll(async () => {
    await services.dispose();
  });

  it('reads the snapshots of many proxies, shared or not, and leaves out those it cannot follow', async () => {
    const oneSecond = await publish('t:a:version:1', '1s', ['edge-1', 'edge-2']);
    const twoSeconds = await publish('t:a:version:2', '2s', ['edge-3']);
    await publish('t:a:version:3', '3s', ['edge-4']);
    await deleteRedisKeys(`${services.redisPrefix}manifest:${manifestOfKey.get('t:a:version:3')}`);

    const served = await sut.ofMany(['edge-1', 'edge-2', 'edge-3', 'edge-4', 'edge-unknown', 'edge-1']);

    expect(
      Object.fromEntries(
        [...served].map(([nodeId, snapshot]) => [nodeId, [snapshot.servingKey, snapshot.versionOf(CLUSTER)]]),
      ),
    ).toEqual({
      'edge-1': ['t:a:version:1', oneSecond],
      'edge-2': ['t:a:version:1', oneSecond],
      'edge-3': ['t:a:version:2', twoSeconds],
    });
    expect(served.get('edge-1')).toBe(served.get('edge-2'));
    expect((await sut.of('edge-3'))?.versionOf(CLUSTER)).toBe(twoSeconds);
    expect(await sut.of('edge-4')).toBeUndefined();
    expect(await sut.ofMany([])).toEqual(new Map());
  });
});
