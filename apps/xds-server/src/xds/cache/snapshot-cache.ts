import type { SnapshotStore } from '@envoy-fleet/snapshot-store';
import type { Logger } from '@envoy-fleet/telemetry';
import { parseManifest, type SnapshotManifest } from '@envoy-fleet/xds';
import { LRUCache } from 'lru-cache';
import { ServedSnapshot } from './served-snapshot';

/** A stream's interest in a serving key. */
export interface SnapshotWatcher {
  /** The proxy, so that a refresh can notice it moved to another serving key. */
  readonly nodeId: string;
  /** A new snapshot for the key (never called with the same manifest twice in a row). */
  onSnapshot(snapshot: ServedSnapshot): void;
  /** The proxy now resolves to another serving key, or to none (it was deregistered). */
  onMoved(servingKey: string | undefined): void;
}

export interface SnapshotCacheOptions {
  /** Bytes of resource blobs kept in process beyond those the served snapshots hold. */
  readonly maxCachedBytes: number;
  /** First delay before retrying a key whose refresh failed; doubles up to 16 times that. */
  readonly retryDelayMs: number;
}

interface KeyState {
  snapshot: ServedSnapshot | undefined;
  readonly watchers: Set<SnapshotWatcher>;
  /** The refresh in progress, and whether another was asked for meanwhile. */
  refreshing: Promise<void> | undefined;
  refreshAgain: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  failures: number;
}

const MANIFESTS_CACHED = 1_024;

/**
 * Resolves proxies to what they are served: `proxy:<node id>` → serving key → `serving:<key>` → manifest
 * → resource bytes, all from the snapshot store (Redis), with an in-process LRU in front of the immutable,
 * content-addressed manifests and resources. Keys are refreshed only when `snapshot.updated` names them
 * (or on a periodic resync), and only the streams watching a refreshed key are told.
 *
 * If the store fails, every key keeps its last snapshot and the failed key is retried with backoff;
 * {@link degraded} says so for readiness.
 */
export class SnapshotCache {
  private readonly keys = new Map<string, KeyState>();
  private readonly resources: LRUCache<string, Uint8Array>;
  private readonly manifests = new LRUCache<string, SnapshotManifest>({ max: MANIFESTS_CACHED });
  private readonly failing = new Set<string>();
  private closed = false;

  constructor(
    private readonly store: SnapshotStore,
    private readonly logger: Logger,
    private readonly options: SnapshotCacheOptions,
  ) {
    this.resources = new LRUCache<string, Uint8Array>({
      maxSize: options.maxCachedBytes,
      sizeCalculation: (bytes) => Math.max(1, bytes.byteLength),
    });
  }

  /** Whether some serving key could not be refreshed from the store (its streams keep the last snapshot). */
  get degraded(): boolean {
    return this.failing.size > 0;
  }

  /** The serving key of a registered proxy, undefined when it has none. */
  async servingKeyOf(nodeId: string): Promise<string | undefined> {
    return (await this.store.getPointers('proxy', [nodeId])).get(nodeId);
  }

  /**
   * Registers a watcher and resolves to the key's current snapshot (undefined while nothing is published
   * under it). Rejects when the store cannot be read and nothing is cached for the key.
   */
  async watch(servingKey: string, watcher: SnapshotWatcher): Promise<ServedSnapshot | undefined> {
    const state = this.stateOf(servingKey);
    state.watchers.add(watcher);
    if (state.snapshot === undefined) {
      try {
        await this.refreshKey(servingKey, state);
      } catch (error) {
        state.watchers.delete(watcher);
        this.forgetIfUnwatched(servingKey, state);
        throw error;
      }
    }
    return state.snapshot;
  }

  unwatch(servingKey: string, watcher: SnapshotWatcher): void {
    const state = this.keys.get(servingKey);
    if (state === undefined) return;
    state.watchers.delete(watcher);
    this.forgetIfUnwatched(servingKey, state);
  }

  /** Re-reads the named keys (those this replica serves) and checks that their proxies still point there. */
  async refresh(servingKeys: readonly string[]): Promise<void> {
    await Promise.all(
      servingKeys.map(async (servingKey) => {
        const state = this.keys.get(servingKey);
        if (state === undefined) return;
        try {
          await this.refreshKey(servingKey, state);
        } catch {
          // refreshKey logged it and scheduled a retry.
        }
      }),
    );
  }

  /** Re-reads every watched key: the safety net for a missed `snapshot.updated`. */
  resyncAll(): Promise<void> {
    return this.refresh([...this.keys.keys()]);
  }

  close(): void {
    this.closed = true;
    for (const state of this.keys.values()) clearTimeout(state.retryTimer);
    this.keys.clear();
  }

  private stateOf(servingKey: string): KeyState {
    let state = this.keys.get(servingKey);
    if (state === undefined) {
      state = {
        snapshot: undefined,
        watchers: new Set(),
        refreshing: undefined,
        refreshAgain: false,
        retryTimer: undefined,
        failures: 0,
      };
      this.keys.set(servingKey, state);
    }
    return state;
  }

  private forgetIfUnwatched(servingKey: string, state: KeyState): void {
    if (state.watchers.size > 0 || state.refreshing !== undefined) return;
    clearTimeout(state.retryTimer);
    this.keys.delete(servingKey);
    this.failing.delete(servingKey);
  }

  /** One refresh per key at a time; a request during one runs once more after it, with fresh data. */
  private async refreshKey(servingKey: string, state: KeyState): Promise<void> {
    if (state.refreshing !== undefined) {
      state.refreshAgain = true;
      return state.refreshing;
    }
    state.refreshing = (async () => {
      try {
        do {
          state.refreshAgain = false;
          await this.load(servingKey, state);
        } while (state.refreshAgain && !this.closed);
        state.failures = 0;
        this.failing.delete(servingKey);
      } catch (error) {
        this.failed(servingKey, state, error);
        throw error;
      } finally {
        state.refreshing = undefined;
      }
    })();
    return state.refreshing;
  }

  private async load(servingKey: string, state: KeyState): Promise<void> {
    const manifestHash = (await this.store.getPointers('serving', [servingKey])).get(servingKey);
    // A serving pointer that disappears leaves the last snapshot in place: deletion is never a side effect.
    if (manifestHash !== undefined && manifestHash !== state.snapshot?.manifestHash) {
      const snapshot = await this.snapshotOf(manifestHash);
      if (this.closed) return;
      state.snapshot = snapshot;
      for (const watcher of [...state.watchers]) watcher.onSnapshot(snapshot);
    }
    await this.checkProxies(servingKey, state);
  }

  private async checkProxies(servingKey: string, state: KeyState): Promise<void> {
    if (state.watchers.size === 0) return;
    const nodeIds = [...new Set([...state.watchers].map((watcher) => watcher.nodeId))];
    const pointers = await this.store.getPointers('proxy', nodeIds);
    for (const watcher of [...state.watchers]) {
      const current = pointers.get(watcher.nodeId);
      if (current !== servingKey) watcher.onMoved(current);
    }
  }

  private async snapshotOf(manifestHash: string): Promise<ServedSnapshot> {
    const manifest = await this.manifestOf(manifestHash);
    const hashes = new Set<string>();
    for (const entry of Object.values(manifest.types))
      for (const hash of Object.values(entry.resources)) hashes.add(hash);
    const blobs = new Map<string, Uint8Array>();
    const absent: string[] = [];
    for (const hash of hashes) {
      const bytes = this.resources.get(hash);
      if (bytes === undefined) absent.push(hash);
      else blobs.set(hash, bytes);
    }
    if (absent.length > 0) {
      const fetched = await this.store.getBlobs('res', absent);
      for (const [hash, bytes] of fetched) {
        blobs.set(hash, bytes);
        this.resources.set(hash, bytes);
      }
    }
    return ServedSnapshot.fromManifest(manifestHash, manifest, blobs);
  }

  private async manifestOf(manifestHash: string): Promise<SnapshotManifest> {
    const cached = this.manifests.get(manifestHash);
    if (cached !== undefined) return cached;
    const bytes = (await this.store.getBlobs('manifest', [manifestHash])).get(manifestHash);
    if (bytes === undefined) throw new Error(`manifest ${manifestHash} is missing from the snapshot store`);
    const manifest = parseManifest(bytes, manifestHash);
    this.manifests.set(manifestHash, manifest);
    return manifest;
  }

  private failed(servingKey: string, state: KeyState, error: unknown): void {
    state.failures += 1;
    this.failing.add(servingKey);
    const delay = this.options.retryDelayMs * 2 ** Math.min(state.failures - 1, 4);
    this.logger.warn(
      { servingKey, err: error, retryInMs: delay },
      `cannot refresh serving key ${servingKey}; keeping its last snapshot`,
    );
    clearTimeout(state.retryTimer);
    if (this.closed) return;
    state.retryTimer = setTimeout(() => {
      state.retryTimer = undefined;
      if (this.keys.get(servingKey) === state) void this.refreshKey(servingKey, state).catch(() => undefined);
    }, delay);
    state.retryTimer.unref();
  }
}
