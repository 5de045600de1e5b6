import type { BlobNamespace, PointerKind, SnapshotStore } from './snapshot-store';

/**
 * The snapshot store of the embedded single-process default: plain maps, no persistence.
 * Bytes are copied in and out so that callers cannot change stored content by mutating a buffer.
 */
export class InMemorySnapshotStore implements SnapshotStore {
  private readonly blobs: Record<BlobNamespace, Map<string, Uint8Array>> = {
    res: new Map(),
    manifest: new Map(),
  };
  private readonly pointers: Record<PointerKind, Map<string, string>> = {
    serving: new Map(),
    proxy: new Map(),
  };
  private closed = false;

  putBlobs(namespace: BlobNamespace, blobs: ReadonlyMap<string, Uint8Array>): Promise<number> {
    return this.whileOpen(() => {
      const stored = this.blobs[namespace];
      let written = 0;
      for (const [hash, bytes] of blobs) {
        if (stored.has(hash)) continue;
        stored.set(hash, Uint8Array.from(bytes));
        written += 1;
      }
      return written;
    });
  }

  getBlobs(namespace: BlobNamespace, hashes: readonly string[]): Promise<Map<string, Uint8Array>> {
    return this.whileOpen(() => {
      const stored = this.blobs[namespace];
      const found = new Map<string, Uint8Array>();
      for (const hash of hashes) {
        const bytes = stored.get(hash);
        if (bytes) found.set(hash, Uint8Array.from(bytes));
      }
      return found;
    });
  }

  setPointers(kind: PointerKind, entries: ReadonlyMap<string, string>): Promise<void> {
    return this.whileOpen(() => {
      const stored = this.pointers[kind];
      for (const [name, value] of entries) stored.set(name, value);
    });
  }

  getPointers(kind: PointerKind, names: readonly string[]): Promise<Map<string, string>> {
    return this.whileOpen(() => {
      const stored = this.pointers[kind];
      const found = new Map<string, string>();
      for (const name of names) {
        const value = stored.get(name);
        if (value !== undefined) found.set(name, value);
      }
      return found;
    });
  }

  deletePointers(kind: PointerKind, names: readonly string[]): Promise<number> {
    return this.whileOpen(() => {
      const stored = this.pointers[kind];
      let deleted = 0;
      for (const name of names) if (stored.delete(name)) deleted += 1;
      return deleted;
    });
  }

  async *listPointers(kind: PointerKind): AsyncIterable<readonly [string, string]> {
    const entries = await this.whileOpen(() => [...this.pointers[kind]]);
    yield* entries;
  }

  ping(): Promise<void> {
    return this.whileOpen(() => undefined);
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private whileOpen<T>(operation: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the in-memory snapshot store is closed'));
    return Promise.resolve(operation());
  }
}
