import { EMPTY_TYPE_VERSION, type SnapshotManifest } from '@envoy-fleet/xds';
import type { ServedType, SnapshotView } from '../protocol/snapshot-view';

const EMPTY_TYPE: ServedType = { version: EMPTY_TYPE_VERSION, resources: new Map(), aliases: new Map() };

/**
 * A manifest resolved for serving: per type the names, hashes and aliases, and the bytes of every
 * resource it names. Immutable; shared by every stream whose proxy resolves to it.
 */
export class ServedSnapshot implements SnapshotView {
  private constructor(
    /** undefined for the empty snapshot of a proxy that has none published yet. */
    readonly manifestHash: string | undefined,
    private readonly types: ReadonlyMap<string, ServedType>,
    private readonly blobs: ReadonlyMap<string, Uint8Array>,
  ) {}

  static empty(): ServedSnapshot {
    return new ServedSnapshot(undefined, new Map(), new Map());
  }

  /** `blobs` must hold every hash the manifest names. */
  static fromManifest(
    manifestHash: string,
    manifest: SnapshotManifest,
    blobs: ReadonlyMap<string, Uint8Array>,
  ): ServedSnapshot {
    const types = new Map<string, ServedType>();
    for (const [typeUrl, entry] of Object.entries(manifest.types)) {
      const resources = new Map(Object.entries(entry.resources));
      for (const [name, hash] of resources) {
        if (!blobs.has(hash)) {
          throw new Error(
            `manifest ${manifestHash}: the bytes of ${typeUrl} "${name}" (res:${hash}) are missing`,
          );
        }
      }
      types.set(typeUrl, {
        version: entry.version,
        resources,
        aliases: new Map(Object.entries(entry.aliases ?? {})),
      });
    }
    return new ServedSnapshot(manifestHash, types, blobs);
  }

  type(typeUrl: string): ServedType {
    return this.types.get(typeUrl) ?? EMPTY_TYPE;
  }

  bytesOf(hash: string): Uint8Array | undefined {
    return this.blobs.get(hash);
  }
}
