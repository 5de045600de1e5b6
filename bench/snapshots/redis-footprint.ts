import { Redis } from 'ioredis';

export interface KeyFootprint {
  readonly keys: number;
  /** Bytes of the values. */
  readonly valueBytes: number;
  /** What Redis reports for the keys with their overhead (`MEMORY USAGE`). */
  readonly memoryBytes: number;
}

const BATCH = 500;

/** Keys under `prefix`, by the part of their name before the next ':' (`res`, `manifest`, `proxy`, ...). */
export async function redisFootprint(url: string, prefix: string): Promise<Record<string, KeyFootprint>> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    const totals = new Map<string, { keys: number; valueBytes: number; memoryBytes: number }>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', BATCH);
      cursor = next;
      if (keys.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.strlen(key).memory('USAGE', key, 'SAMPLES', 0);
      const replies = (await pipeline.exec()) ?? [];
      keys.forEach((key, index) => {
        const kind = key.slice(prefix.length).split(':', 1)[0] ?? '';
        const total = totals.get(kind) ?? { keys: 0, valueBytes: 0, memoryBytes: 0 };
        total.keys += 1;
        total.valueBytes += Number(replies[index * 2]?.[1] ?? 0);
        total.memoryBytes += Number(replies[index * 2 + 1]?.[1] ?? 0);
        totals.set(kind, total);
      });
    } while (cursor !== '0');
    return Object.fromEntries([...totals].sort(([a], [b]) => a.localeCompare(b)));
  } finally {
    redis.disconnect();
  }
}
