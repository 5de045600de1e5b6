import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';

/** The shared Redis that tests use; each suite keeps to its own key prefix. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test run uses, such as `test:snapshot-store:3f2a...:`. */
export function uniqueRedisPrefix(label = 'suite'): string {
  return `test:${label}:${randomUUID()}:`;
}

/** Deletes every key under `prefix` (SCAN + UNLINK, so it never blocks Redis); returns how many. */
export async function deleteRedisKeys(prefix: string, url = TEST_REDIS_URL): Promise<number> {
  if (prefix.length === 0)
    throw new Error('deleteRedisKeys needs a non-empty prefix: it would delete every key');
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    let deleted = 0;
    const keys = redis.scanStream({ match: `${escapeGlob(prefix)}*`, count: 1_000 });
    for await (const batch of keys as AsyncIterable<string[]>) {
      if (batch.length > 0) deleted += await redis.unlink(...batch);
    }
    return deleted;
  } finally {
    await redis.quit();
  }
}

/** Escapes the characters that SCAN's MATCH treats as glob syntax. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
