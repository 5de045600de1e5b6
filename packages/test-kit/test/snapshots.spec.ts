import { InMemorySnapshotStore } from '@envoy-fleet/snapshot-store';
import { decodeResource, parseManifest, TYPE_URLS } from '@envoy-fleet/xds';
import {
  clusterResource,
  edgeSnapshot,
  endpointResource,
  publishFixture,
  secretResource,
} from '../src/snapshots';

describe('snapshot fixtures', () => {
  it('builds a consistent edge snapshot that the codec decodes', () => {
    const sut = edgeSnapshot({ clusters: ['a', 'b'], listeners: ['http'] });

    expect(sut.cluster.map((resource) => resource.name)).toEqual(['a', 'b']);
    const route = decodeResource('route', sut.route[0]!.bytes);
    expect(JSON.stringify(route)).toContain('"weighted_clusters"');
    const listener = decodeResource('listener', sut.listener[0]!.bytes);
    expect(JSON.stringify(listener)).toContain('"route_config_name":"http-routes"');
    expect(decodeResource('endpoint', sut.endpoint[1]!.bytes)).toMatchObject({ cluster_name: 'b' });
  });

  it('changes a cluster’s bytes when only its timeout changes', () => {
    expect(clusterResource({ name: 'a', connectTimeoutSeconds: 2 }).bytes).not.toEqual(
      clusterResource({ name: 'a' }).bytes,
    );
  });

  it('encodes an empty ClusterLoadAssignment and a secret', () => {
    expect(
      decodeResource('endpoint', endpointResource({ clusterName: 'none', endpoints: [] }).bytes),
    ).toEqual({
      cluster_name: 'none',
    });
    expect(decodeResource('secret', secretResource('cert').bytes)).toMatchObject({ name: 'cert' });
  });

  it('publishes a snapshot and points proxies at it', async () => {
    const store = new InMemorySnapshotStore();

    const published = await publishFixture(store, 't:acme:edge', edgeSnapshot(), ['edge-1']);

    const stored = await store.getBlobs('manifest', [published.manifestHash]);
    const manifest = parseManifest(stored.get(published.manifestHash)!, published.manifestHash);
    expect(Object.keys(manifest.types[TYPE_URLS.listener]!.resources)).toEqual(['http']);
    expect(await store.getPointers('proxy', ['edge-1'])).toEqual(new Map([['edge-1', 't:acme:edge']]));
  });
});
