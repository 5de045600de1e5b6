import { randomUUID } from 'node:crypto';
import { createDataSource, runMigrations } from '@envoy-fleet/db';
import { JetStreamEventBus, silentLogger, type Subscription } from '@envoy-fleet/messaging';
import { RedisSnapshotStore } from '@envoy-fleet/snapshot-store';
import { createTestDatabase, type TestDatabase } from '@envoy-fleet/test-kit/database';
import { TEST_NATS_URL } from '@envoy-fleet/test-kit/nats';
import { deleteRedisKeys, TEST_REDIS_URL, uniqueRedisPrefix } from '@envoy-fleet/test-kit/redis';
import { parseManifest, type SnapshotManifest } from '@envoy-fleet/xds';
import { type DataSource } from 'typeorm';
import { type SnapshotBuilder } from '../src/snapshots/snapshot-builder';
import { consumeSnapshotTriggers } from '../src/snapshots/snapshot-events.consumer';
import { SnapshotReads } from '../src/snapshots/snapshot-reads';
import { SnapshotRebuild } from '../src/snapshots/snapshot-rebuild';

/** A suite's own database, Redis key prefix and JetStream namespace, on the shared test services. */
export interface SnapshotServices {
  readonly database: TestDatabase;
  readonly systemDataSource: DataSource;
  readonly redisPrefix: string;
  readonly store: RedisSnapshotStore;
  /** The suite's JetStream namespace (`NATS_NAMESPACE` of an app run against these services). */
  readonly namespace: string;
  readonly bus: JetStreamEventBus;
  /** Joins the snapshot consumer group with `builder`, as the app does. */
  consumeTriggers(builder: SnapshotBuilder): Promise<Subscription>;
  /** The manifest a proxy is served now, or undefined when its pointers or blobs are missing. */
  manifestOf(nodeId: string): Promise<SnapshotManifest | undefined>;
  flushRedis(): Promise<void>;
  /** Deletes the stored manifests and keeps every pointer: a partial loss of Redis. */
  dropManifests(): Promise<void>;
  dispose(): Promise<void>;
}

export async function openSnapshotServices(label: string): Promise<SnapshotServices> {
  const database = await createTestDatabase({ migrate: runMigrations, label });
  const systemDataSource = await createDataSource({
    url: database.systemUrl,
    applicationName: label,
  }).initialize();
  const redisPrefix = uniqueRedisPrefix(label);
  const store = await RedisSnapshotStore.connect({ url: TEST_REDIS_URL, keyPrefix: redisPrefix });
  const namespace = `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const bus = JetStreamEventBus.create({
    servers: TEST_NATS_URL,
    name: label,
    namespace,
    logger: silentLogger,
  });
  await bus.provisionStreams();

  const manifestOf = async (nodeId: string): Promise<SnapshotManifest | undefined> => {
    const servingKey = (await store.getPointers('proxy', [nodeId])).get(nodeId);
    if (servingKey === undefined) return undefined;
    const hash = (await store.getPointers('serving', [servingKey])).get(servingKey);
    if (hash === undefined) return undefined;
    const bytes = (await store.getBlobs('manifest', [hash])).get(hash);
    return bytes === undefined ? undefined : parseManifest(bytes, hash);
  };

  return {
    database,
    systemDataSource,
    redisPrefix,
    store,
    namespace,
    bus,
    consumeTriggers: (builder) =>
      consumeSnapshotTriggers(bus, builder, {
        rebuild: new SnapshotRebuild({ builder, store, events: bus, logger: silentLogger }),
        reads: new SnapshotReads({ store, events: bus }),
      }),
    manifestOf,
    flushRedis: async () => void (await deleteRedisKeys(redisPrefix)),
    dropManifests: async () => void (await deleteRedisKeys(`${redisPrefix}manifest:`)),
    dispose: async () => {
      await bus.close();
      await deleteRedisKeys(redisPrefix);
      await store.close();
      await systemDataSource.destroy();
      await database.drop();
    },
  };
}
