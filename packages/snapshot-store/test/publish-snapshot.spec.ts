import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { contentHash, parseManifest, TYPE_URLS } from '@envoy-fleet/xds';
import { publishSnapshot, RedisSnapshotStore } from '../src';

describe(publishSnapshot.name, () => {
  const keyPrefix = uniqueRedisPrefix('publish-snapshot');
  let store: RedisSnapshotStore;

  beforeAll(async () => {
    store = await RedisSnapshotStore.connect({ url: TEST_REDIS_URL, keyPrefix });
  });

  afterAll(async () => {
    await store.close();
    await deleteRedisKeys(keyPrefix);
  });

  it('stores the blobs, the manifest, the serving pointer and the proxy pointers', async () => {
    const bytes = Buffer.from('cluster bytes');

    const sut = await publishSnapshot(store, {
      servingKey: 't:acme:edge',
      resources: { cluster: [{ name: 'backend', bytes }] },
      proxies: ['edge-1', 'edge-2'],
    });

    const hash = contentHash(bytes);
    expect((await store.getBlobs('res', [hash])).get(hash)).toEqual(new Uint8Array(bytes));
    const manifestBytes = (await store.getBlobs('manifest', [sut.manifestHash])).get(sut.manifestHash);
    expect(parseManifest(manifestBytes!, sut.manifestHash).types[TYPE_URLS.cluster]?.resources).toEqual({
      backend: hash,
    });
    expect(await store.getPointers('serving', ['t:acme:edge'])).toEqual(
      new Map([['t:acme:edge', sut.manifestHash]]),
    );
    expect(await store.getPointers('proxy', ['edge-1', 'edge-2'])).toEqual(
      new Map([
        ['edge-1', 't:acme:edge'],
        ['edge-2', 't:acme:edge'],
      ]),
    );
  });

  it('writes only the blobs that are new', async () => {
    const shared = { name: 'shared', bytes: Buffer.from('shared bytes') };
    await publishSnapshot(store, { servingKey: 't:acme:a', resources: { cluster: [shared] } });

    const sut = await publishSnapshot(store, {
      servingKey: 't:acme:b',
      resources: { cluster: [shared, { name: 'other', bytes: Buffer.from('other bytes') }] },
    });

    expect(sut.newBlobs).toBe(1);
  });
});
