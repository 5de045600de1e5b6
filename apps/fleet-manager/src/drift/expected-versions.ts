import { type SnapshotStore } from '@envoy-fleet/snapshot-store';
import { parseManifest } from '@envoy-fleet/xds';
import { resourceTypeOf } from '../deliveries/delivery-status';
import { type VersionsByType } from './drift';

/**
 * The version of each resource type in the snapshot each proxy is pointed at now, read in three round
 * trips whatever the number of proxies: `proxy:<node id>` → serving key → manifest. A proxy without a
 * pointer, or whose manifest is gone (a Redis being rebuilt), is left out: its expected versions are unknown.
 */
export async function expectedVersions(
  store: SnapshotStore,
  nodeIds: readonly string[],
): Promise<Map<string, VersionsByType>> {
  const servingKeys = await store.getPointers('proxy', nodeIds);
  const hashes = await store.getPointers('serving', [...new Set(servingKeys.values())]);
  const manifests = await store.getBlobs('manifest', [...new Set(hashes.values())]);
  const byHash = new Map(
    [...manifests].map(([hash, bytes]) => {
      const versions: Partial<Record<string, string>> = {};
      for (const [typeUrl, type] of Object.entries(parseManifest(bytes, hash).types)) {
        const resourceType = resourceTypeOf(typeUrl);
        if (resourceType !== undefined) versions[resourceType] = type.version;
      }
      return [hash, versions];
    }),
  );
  const expected = new Map<string, VersionsByType>();
  for (const [nodeId, servingKey] of servingKeys) {
    const versions = byHash.get(hashes.get(servingKey) ?? '');
    if (versions !== undefined) expected.set(nodeId, versions);
  }
  return expected;
}
