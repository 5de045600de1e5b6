import { randomUUID } from 'node:crypto';
import { createEvent, type DomainEvent } from '@envoy-fleet/domain';
import { type EventPublisher, type MessagingLogger } from '@envoy-fleet/messaging';
import { type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { parseManifest, tenantOfServingKey } from '@envoy-fleet/xds';
import { ServedSnapshots } from '../deliveries/served-snapshots';
import { type BuildReport, type SnapshotBuilder } from './snapshot-builder';

export interface SnapshotRebuildDependencies {
  readonly builder: SnapshotBuilder;
  readonly store: SnapshotStore;
  readonly events: EventPublisher;
  readonly logger: MessagingLogger;
}

export interface RebuildOutcome {
  readonly report: BuildReport;
  /** Serving keys whose stored snapshot lacked its manifest or a resource, published again. */
  readonly repaired: readonly string[];
  /** The proxies named by the request that still have no complete snapshot (unbound, invalid config). */
  readonly unserved: readonly string[];
}

/**
 * Rebuilds a tenant's snapshots on demand (`snapshot.rebuild.requested`: the api's `POST
 * /api/v1/snapshots/rebuild` and gRPC `CreateSnapshot`). The build alone restores a lost proxy pointer or
 * manifest; a manifest whose resources Redis lost would look complete to it, so the serving pointer of
 * such a snapshot is dropped first and the build publishes the snapshot again. The outcome is published
 * as `snapshot.rebuild.completed` (durable: the api's event stream and webhooks see it), with the named
 * proxies that are still not served.
 */
export class SnapshotRebuild {
  private readonly served: ServedSnapshots;

  constructor(private readonly deps: SnapshotRebuildDependencies) {
    this.served = new ServedSnapshots(deps.store);
  }

  async execute(event: DomainEvent<'snapshot.rebuild.requested'>): Promise<RebuildOutcome> {
    const { requestId, nodeIds } = event.payload;
    const tenantId = event.tenantId;
    if (tenantId === null) throw new Error(`snapshot.rebuild.requested ${event.id} names no tenant`);
    const servingKeys =
      nodeIds.length === 0 ? await this.servingKeysOfTenant(tenantId) : await this.servingKeysOf(nodeIds);
    const repaired = await this.incomplete(servingKeys);
    if (repaired.length > 0) await this.deps.store.deletePointers('serving', repaired);
    const report = await this.deps.builder.execute({ tenantId });
    const unserved: string[] = [];
    for (const nodeId of nodeIds) {
      if ((await this.served.of(nodeId)) === undefined) unserved.push(nodeId);
    }
    this.deps.logger.info(
      {
        requestId,
        tenantId,
        nodeIds,
        repaired,
        published: report.published.length,
        repointed: report.repointed.length,
        unserved,
      },
      'snapshots rebuilt on demand',
    );
    await this.deps.events.publish(
      createEvent('snapshot.rebuild.completed', {
        id: randomUUID(),
        tenantId,
        aggregateId: requestId,
        payload: { requestId, nodeIds, unserved },
      }),
    );
    return { report, repaired, unserved };
  }

  private async servingKeysOfTenant(tenantId: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const [servingKey] of this.deps.store.listPointers('serving')) {
      if (tenantOfServingKey(servingKey) === tenantId) keys.push(servingKey);
    }
    return keys;
  }

  private async servingKeysOf(nodeIds: readonly string[]): Promise<string[]> {
    const pointers = await this.deps.store.getPointers('proxy', nodeIds);
    return [...new Set(pointers.values())];
  }

  /** The serving keys whose manifest, or one of whose resources, is missing from the store. */
  private async incomplete(servingKeys: readonly string[]): Promise<string[]> {
    const manifestOf = await this.deps.store.getPointers('serving', servingKeys);
    const manifests = await this.deps.store.getBlobs('manifest', [...new Set(manifestOf.values())]);
    const lacking: string[] = [];
    for (const [servingKey, manifestHash] of manifestOf) {
      const bytes = manifests.get(manifestHash);
      if (bytes === undefined) {
        lacking.push(servingKey);
        continue;
      }
      const hashes = Object.values(parseManifest(bytes, manifestHash).types).flatMap((type) =>
        Object.values(type.resources),
      );
      const stored = await this.deps.store.getBlobs('res', [...new Set(hashes)]);
      if (hashes.some((hash) => !stored.has(hash))) lacking.push(servingKey);
    }
    return lacking;
  }
}
