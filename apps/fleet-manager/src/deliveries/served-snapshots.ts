import { type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { manifestTypeOf, parseManifest, type SnapshotManifest } from '@envoy-fleet/xds';

/** The snapshot a proxy is pointed at now: its serving key and the version of each type in it. */
export interface ServedSnapshot {
  readonly servingKey: string;
  readonly manifest: SnapshotManifest;
  versionOf(typeUrl: string): string;
}

/**
 * Reads, from the snapshot store, what each proxy is served: `proxy:<node id>` → serving key →
 * manifest. This is what xds-server pushes, so an ACK or NACK can be matched against it.
 */
export class ServedSnapshots {
  constructor(private readonly store: SnapshotStore) {}

  /** Undefined when the proxy has no pointer, or its manifest is gone (a Redis being rebuilt). */
  async of(nodeId: string): Promise<ServedSnapshot | undefined> {
    return (await this.ofMany([nodeId])).get(nodeId);
  }

  /**
   * The snapshots of many proxies in three round trips whatever their number, each manifest parsed
   * once however many proxies share it. Proxies without a pointer, or whose manifest is gone, are
   * left out.
   */
  async ofMany(nodeIds: readonly string[]): Promise<Map<string, ServedSnapshot>> {
    if (nodeIds.length === 0) return new Map();
    const servingKeys = await this.store.getPointers('proxy', [...new Set(nodeIds)]);
    const hashes = await this.store.getPointers('serving', [...new Set(servingKeys.values())]);
    const manifests = await this.store.getBlobs('manifest', [...new Set(hashes.values())]);
    const byKey = new Map<string, ServedSnapshot>();
    for (const [servingKey, hash] of hashes) {
      const bytes = manifests.get(hash);
      if (bytes === undefined) continue;
      const manifest = parseManifest(bytes, hash);
      byKey.set(servingKey, {
        servingKey,
        manifest,
        versionOf: (typeUrl) => manifestTypeOf(manifest, typeUrl).version,
      });
    }
    const served = new Map<string, ServedSnapshot>();
    for (const [nodeId, servingKey] of servingKeys) {
      const snapshot = byKey.get(servingKey);
      if (snapshot !== undefined) served.set(nodeId, snapshot);
    }
    return served;
  }
}
