import { randomUUID } from 'node:crypto';
import { createEvent, type DomainEvent, type ServedSnapshotView } from '@envoy-fleet/domain';
import { type EventPublisher } from '@envoy-fleet/messaging';
import { type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { decodeResource, kindOf, parseManifest } from '@envoy-fleet/xds';

/**
 * Resource bodies are carried up to this many bytes of encoded resources: a broadcast stays well under
 * NATS's message limit (1 MiB by default). A larger snapshot is listed by names and versions only.
 */
const MAX_BODY_BYTES = 256 * 1024;

/**
 * Answers `snapshot.read.requested` (the api's gRPC `GetSnapshot`): reads what the proxy is served from
 * Redis (`proxy:<node id>` → serving key → manifest → resources) and broadcasts it as
 * `snapshot.read.completed`, so the api, which does not read Redis, can show it.
 */
export class SnapshotReads {
  constructor(private readonly deps: { readonly store: SnapshotStore; readonly events: EventPublisher }) {}

  async execute(event: DomainEvent<'snapshot.read.requested'>): Promise<void> {
    const { requestId, nodeId } = event.payload;
    await this.deps.events.publish(
      createEvent('snapshot.read.completed', {
        id: randomUUID(),
        tenantId: event.tenantId,
        aggregateId: requestId,
        payload: { requestId, nodeId, snapshot: await this.read(nodeId) },
      }),
    );
  }

  /** The proxy's served snapshot; null when it has none or Redis lost part of it. */
  async read(nodeId: string): Promise<ServedSnapshotView | null> {
    const { store } = this.deps;
    const servingKey = (await store.getPointers('proxy', [nodeId])).get(nodeId);
    if (servingKey === undefined) return null;
    const manifestHash = (await store.getPointers('serving', [servingKey])).get(servingKey);
    if (manifestHash === undefined) return null;
    const manifestBytes = (await store.getBlobs('manifest', [manifestHash])).get(manifestHash);
    if (manifestBytes === undefined) return null;
    const listed = Object.entries(parseManifest(manifestBytes, manifestHash).types).flatMap(
      ([typeUrl, type]) =>
        Object.entries(type.resources).map(([name, version]) => ({ typeUrl, name, version })),
    );
    const blobs = await store.getBlobs('res', [...new Set(listed.map((resource) => resource.version))]);
    if (listed.some((resource) => !blobs.has(resource.version))) return null;
    let bytes = 0;
    for (const blob of blobs.values()) bytes += blob.byteLength;
    const withBodies = bytes <= MAX_BODY_BYTES;
    return {
      servingKey,
      manifestHash,
      resources: listed.map((resource) => {
        const kind = kindOf(resource.typeUrl);
        const blob = blobs.get(resource.version);
        return {
          ...resource,
          body: withBodies && kind !== undefined && blob !== undefined ? decodeResource(kind, blob) : null,
        };
      }),
    };
  }
}
