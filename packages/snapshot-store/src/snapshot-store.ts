/**
 * Where built xDS snapshots live (ARCHITECTURE section 3): content-addressed blobs, written once
 * and shared by every proxy whose config produces the same bytes, and named pointers that say
 * which manifest a serving key resolves to and which serving key a proxy uses.
 */

/** `res`: encoded xDS resources; `manifest`: snapshot manifests. Both keyed by their sha256. */
export type BlobNamespace = 'res' | 'manifest';

/** `serving`: serving key → manifest hash; `proxy`: Envoy node id → serving key. */
export type PointerKind = 'serving' | 'proxy';

export interface SnapshotStore {
  /** Writes each blob whose hash is not stored yet (content never changes under a hash);
   *  resolves to how many were new. */
  putBlobs(namespace: BlobNamespace, blobs: ReadonlyMap<string, Uint8Array>): Promise<number>;
  /** The stored blobs among `hashes`; absent hashes are left out of the result. */
  getBlobs(namespace: BlobNamespace, hashes: readonly string[]): Promise<Map<string, Uint8Array>>;
  /** Sets (or moves) each pointer to its value. */
  setPointers(kind: PointerKind, entries: ReadonlyMap<string, string>): Promise<void>;
  /** The values of the pointers among `names` that exist. */
  getPointers(kind: PointerKind, names: readonly string[]): Promise<Map<string, string>>;
  /** Deletes the pointers; resolves to how many existed. */
  deletePointers(kind: PointerKind, names: readonly string[]): Promise<number>;
  /** Every pointer of a kind, in no particular order, each once (for rebuilds and debugging). */
  listPointers(kind: PointerKind): AsyncIterable<readonly [name: string, value: string]>;
  /** Resolves when the store answers; rejects with the reason otherwise (readiness checks). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
