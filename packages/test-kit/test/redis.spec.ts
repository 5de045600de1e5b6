import Redis from 'ioredis';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '../src/redis';

describe(deleteRedisKeys.name, () => {
  const redis = new Redis(TEST_REDIS_URL);

  afterAll(async () => {
    await redis.quit();
  });

  it('deletes the keys under its prefix and no others', async () => {
    const prefix = uniqueRedisPrefix('test-kit');
    const neighbour = uniqueRedisPrefix('test-kit');
    await redis.mset(`${prefix}a`, '1', `${prefix}b`, '2', `${neighbour}a`, '3');

    const deleted = await deleteRedisKeys(prefix);

    expect(deleted).toBe(2);
    expect(await redis.exists(`${prefix}a`, `${prefix}b`)).toBe(0);
    expect(await redis.get(`${neighbour}a`)).toBe('3');
    await deleteRedisKeys(neighbour);
  });

  it('refuses an empty prefix', async () => {
    await expect(deleteRedisKeys('')).rejects.toThrow('non-empty prefix');
  });
});

describe(uniqueRedisPrefix.name, () => {
  it('gives each call its own prefix', () => {
    expect(uniqueRedisPrefix('x')).not.toBe(uniqueRedisPrefix('x'));
  });
});
