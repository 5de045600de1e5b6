import { type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { manifestTypeOf, parseManifest } from '@envoy-fleet/xds';

/** The snapshot a proxy is pointed at now: its serving key and the version of each type in it. */
export interface ServedSnapshot {
  readonly servingKey: string;
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
    const servingKey = (await this.store.getPointers('proxy', [nodeId])).get(nodeId);
    if (servingKey === undefined) return undefined;
    const manifestHash = (await this.store.getPointers('serving', [servingKey])).get(servingKey);
    if (manifestHash === undefined) return undefined;
    const bytes = (await this.store.getBlobs('manifest', [manifestHash])).get(manifestHash);
    if (bytes === undefined) return undefined;
    const manifest = parseManifest(bytes, manifestHash);
    return { servingKey, versionOf: (typeUrl) => manifestTypeOf(manifest, typeUrl).version };
  }
}
