import { decodeResource } from '@envoy-fleet/xds';
import { clusterResource, edgeSnapshot, endpointResource, secretResource } from '../src/snapshots';

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
});
