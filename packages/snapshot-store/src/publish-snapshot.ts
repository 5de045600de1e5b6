import { buildSnapshot, type BuiltSnapshot, type SnapshotResources } from '@envoy-fleet/xds';
import type { SnapshotStore } from './snapshot-store';

export interface PublishSnapshotInput {
  /** Tenant-scoped serving key, `t:<tenant id>:<rest>`. */
  readonly servingKey: string;
  readonly resources: SnapshotResources;
  /** Node ids to point at the serving key (`proxy:<node id>`), after it is in place. */
  readonly proxies?: readonly string[];
}

export interface PublishedSnapshot extends BuiltSnapshot {
  /** Resource blobs that were not stored before. */
  readonly newBlobs: number;
}

/**
 * Stores a snapshot in the order readers need: resource blobs, then the manifest that names them, then the
 * serving pointer, then the proxy pointers. A reader that follows a pointer therefore never finds a
 * missing blob, and an interrupted publish leaves only unreferenced blobs behind. Announcing the change
 * (`snapshot.updated`) is the caller's job, once this resolves.
 */
export async function publishSnapshot(
  store: SnapshotStore,
  input: PublishSnapshotInput,
): Promise<PublishedSnapshot> {
  const snapshot = buildSnapshot(input.resources);
  const newBlobs = await store.putBlobs('res', snapshot.blobs);
  await store.putBlobs('manifest', new Map([[snapshot.manifestHash, snapshot.manifestBytes]]));
  await store.setPointers('serving', new Map([[input.servingKey, snapshot.manifestHash]]));
  if (input.proxies && input.proxies.length > 0) {
    await store.setPointers('proxy', new Map(input.proxies.map((nodeId) => [nodeId, input.servingKey])));
  }
  return { ...snapshot, newBlobs };
}
