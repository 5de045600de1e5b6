export type { BlobNamespace, PointerKind, SnapshotStore } from './snapshot-store';
export { InMemorySnapshotStore } from './in-memory-snapshot-store';
export { RedisSnapshotStore, type RedisSnapshotStoreOptions } from './redis-snapshot-store';
export { type PublishedSnapshot, publishSnapshot, type PublishSnapshotInput } from './publish-snapshot';
