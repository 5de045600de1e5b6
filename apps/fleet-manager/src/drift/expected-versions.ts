import { type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { resourceTypeOf } from '../deliveries/delivery-status';
import { ServedSnapshots } from '../deliveries/served-snapshots';
import { type VersionsByType } from './drift';

/**
 * The version of each resource type in the snapshot each proxy is pointed at now
 * ({@link ServedSnapshots.ofMany}: three round trips whatever the number of proxies). A proxy without
 * a pointer, or whose manifest is gone (a Redis being rebuilt), is left out: its expected versions are
 * unknown.
 */
export async function expectedVersions(
  store: SnapshotStore,
  nodeIds: readonly string[],
): Promise<Map<string, VersionsByType>> {
  const served = await new ServedSnapshots(store).ofMany(nodeIds);
  const byServingKey = new Map<string, VersionsByType>();
  const expected = new Map<string, VersionsByType>();
  for (const [nodeId, snapshot] of served) {
    let versions = byServingKey.get(snapshot.servingKey);
    if (versions === undefined) {
      const byType: Partial<Record<string, string>> = {};
      for (const [typeUrl, type] of Object.entries(snapshot.manifest.types)) {
        const resourceType = resourceTypeOf(typeUrl);
        if (resourceType !== undefined) byType[resourceType] = type.version;
      }
      versions = byType;
      byServingKey.set(snapshot.servingKey, versions);
    }
    expected.set(nodeId, versions);
  }
  return expected;
}
