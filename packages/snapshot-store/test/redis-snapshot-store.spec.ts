import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { RedisSnapshotStore } from '../src';
import { snapshotStoreContract } from './snapshot-store.contract';

describe(RedisSnapshotStore.name, () => {
  const prefixes: string[] = [];

  afterAll(async () => {
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
  });

  snapshotStoreContract(() => {
    const keyPrefix = uniqueRedisPrefix('snapshot-store');
    prefixes.push(keyPrefix);
    return RedisSnapshotStore.connect({ url: TEST_REDIS_URL, keyPrefix });
  });

  it('stores blobs under <prefix>res:<hash> and pointers under <prefix><kind>:<name>', async () => {
    const keyPrefix = uniqueRedisPrefix('snapshot-store');
    prefixes.push(keyPrefix);
    const sut = await RedisSnapshotStore.connect({ url: TEST_REDIS_URL, keyPrefix });
    await sut.putBlobs('res', new Map([['abc', Buffer.from('x')]]));
    await sut.setPointers('proxy', new Map([['edge-1', 'binding:edge']]));
    await sut.close();

    expect(await deleteRedisKeys(`${keyPrefix}res:abc`)).toBe(1);
    expect(await deleteRedisKeys(`${keyPrefix}proxy:edge-1`)).toBe(1);
  });

  it('rejects connecting to a Redis that does not answer, with the address', async () => {
    await expect(RedisSnapshotStore.connect({ url: 'redis://:secret@127.0.0.1:1' })).rejects.toThrow(
      'cannot connect to Redis at redis://:***@127.0.0.1:1',
    );
  });
});
