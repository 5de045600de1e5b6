import Redis from 'ioredis';
import type { BlobNamespace, PointerKind, SnapshotStore } from './snapshot-store';

export interface RedisSnapshotStoreOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  readonly url: string;
  /** Prepended to every key, so that installations or tests sharing one Redis do not collide. */
  readonly keyPrefix?: string;
  /** A command that gets no answer within this time fails instead of waiting (default 5 s). */
  readonly commandTimeoutMs?: number;
}

/** Keys per pipeline or multi-key command: large batches go out in chunks of this size. */
const CHUNK_SIZE = 1_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * The product's snapshot store. Keys: `<prefix>res:<sha256>`, `<prefix>manifest:<sha256>`,
 * `<prefix>serving:<serving key>`, `<prefix>proxy:<node id>`.
 *
 * Commands fail at once while Redis is unreachable (no offline queue) so that readers such as
 * xds-server fall back to what they hold instead of waiting; the client reconnects forever.
 */
export class RedisSnapshotStore implements SnapshotStore {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
  ) {}

  /** Connects and resolves once Redis answers; rejects with the reason when it cannot connect. */
  static async connect(options: RedisSnapshotStoreOptions): Promise<RedisSnapshotStore> {
    let connectedOnce = false;
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeoutMs ?? 5_000,
      // The first connection fails fast; once connected, the client reconnects forever.
      retryStrategy: (attempt) => (connectedOnce ? Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS) : null),
      connectionName: 'envoy-fleet-snapshot-store',
      // CLIENT SETINFO fails on Redis before 7.2, and a failed command's timeout timer outlives it.
      disableClientInfo: true,
    });
    redis.once('ready', () => {
      connectedOnce = true;
    });
    // Connection errors surface through commands and ping(); without a listener ioredis prints them.
    redis.on('error', () => undefined);
    try {
      await redis.connect();
    } catch (error) {
      throw new Error(`cannot connect to Redis at ${redactPassword(options.url)}: ${describe(error)}`, {
        cause: error,
      });
    }
    return new RedisSnapshotStore(redis, options.keyPrefix ?? '');
  }

  async putBlobs(namespace: BlobNamespace, blobs: ReadonlyMap<string, Uint8Array>): Promise<number> {
    let written = 0;
    for (const chunk of chunks([...blobs])) {
      const pipeline = this.redis.pipeline();
      for (const [hash, bytes] of chunk) {
        pipeline.set(
          this.key(namespace, hash),
          Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
          'NX',
        );
      }
      for (const reply of resultsOf(await pipeline.exec())) if (reply === 'OK') written += 1;
    }
    return written;
  }

  async getBlobs(namespace: BlobNamespace, hashes: readonly string[]): Promise<Map<string, Uint8Array>> {
    const found = new Map<string, Uint8Array>();
    for (const chunk of chunks(hashes)) {
      const values = await this.redis.mgetBuffer(chunk.map((hash) => this.key(namespace, hash)));
      chunk.forEach((hash, index) => {
        const value = values[index];
        if (value) found.set(hash, new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      });
    }
    return found;
  }

  async setPointers(kind: PointerKind, entries: ReadonlyMap<string, string>): Promise<void> {
    for (const chunk of chunks([...entries])) {
      await this.redis.mset(new Map(chunk.map(([name, value]) => [this.key(kind, name), value])));
    }
  }

  async getPointers(kind: PointerKind, names: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const chunk of chunks(names)) {
      const values = await this.redis.mget(chunk.map((name) => this.key(kind, name)));
      chunk.forEach((name, index) => {
        const value = values[index];
        if (value !== null && value !== undefined) found.set(name, value);
      });
    }
    return found;
  }

  async deletePointers(kind: PointerKind, names: readonly string[]): Promise<number> {
    let deleted = 0;
    for (const chunk of chunks(names))
      deleted += await this.redis.unlink(chunk.map((name) => this.key(kind, name)));
    return deleted;
  }

  async *listPointers(kind: PointerKind): AsyncIterable<readonly [string, string]> {
    const keyStart = this.key(kind, '');
    const scan = this.redis.scanStream({ match: `${escapeGlob(keyStart)}*`, count: CHUNK_SIZE });
    // SCAN may return a key more than once while Redis rehashes.
    const seen = new Set<string>();
    for await (const keys of scan as AsyncIterable<string[]>) {
      const fresh = keys.filter((key) => !seen.has(key));
      if (fresh.length === 0) continue;
      const values = await this.redis.mget(fresh);
      for (const [index, key] of fresh.entries()) {
        seen.add(key);
        const value = values[index];
        if (value !== null && value !== undefined) yield [key.slice(keyStart.length), value];
      }
    }
  }

  async ping(): Promise<void> {
    if (this.closing) throw new Error('the Redis snapshot store is closed');
    if (this.redis.status !== 'ready') throw new Error(`the Redis connection is ${this.redis.status}`);
    await this.redis.ping();
  }

  close(): Promise<void> {
    this.closing ??= this.redis.quit().then(() => undefined);
    return this.closing;
  }

  private key(space: BlobNamespace | PointerKind, name: string): string {
    return `${this.keyPrefix}${space}:${name}`;
  }
}

function* chunks<T>(items: readonly T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += CHUNK_SIZE) yield items.slice(start, start + CHUNK_SIZE);
}

/** Replies of a pipeline, throwing the first command error (a pipeline does not throw by itself). */
function resultsOf(replies: [Error | null, unknown][] | null): unknown[] {
  if (replies === null) throw new Error('the Redis pipeline was discarded: the connection closed during it');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** Escapes the characters that SCAN's MATCH treats as glob syntax. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable URL)';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
