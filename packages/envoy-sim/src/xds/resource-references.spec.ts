import { clusterJson, listenerJson } from '@envoy-fleet/test-kit/snapshots';
import { clusterFacts, extensionUses, listenerFacts, routeConfigurationFacts } from './resource-references';

describe('resource-references', () => {
  it('finds what a listener refers to: addresses, RDS names, filters', () => {
    const json = listenerJson({ name: 'http', port: 8080, routeConfigName: 'routes' });
    const sut = listenerFacts({
      ...json,
      address: { socket_address: { address: '::', port_value: 8080 } },
      additional_addresses: [{ address: { socket_address: { address: '0.0.0.0', port_value: 8080 } } }],
    });
    expect(sut.addresses).toEqual(['[::]:8080', '0.0.0.0:8080']);
    expect(sut.connectionManagers).toEqual([
      {
        statPrefix: 'http',
        rdsName: 'routes',
        inlineRoutes: undefined,
        httpFilters: [
          { name: 'envoy.filters.http.router', type: 'envoy.extensions.filters.http.router.v3.Router' },
        ],
      },
    ]);
    expect(sut.filterChains).toEqual([
      [
        {
          name: 'envoy.filters.network.http_connection_manager',
          type: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
        },
      ],
    ]);
  });

  it("finds an EDS cluster's service name (or its own name) and its SDS secrets", () => {
    expect(
      clusterFacts(clusterJson({ name: 'c', edsServiceName: 'svc', tlsSecretName: 'cert' }) as never),
    ).toEqual({
      edsServiceName: 'svc',
      sdsSecrets: ['cert'],
    });
    expect(clusterFacts({ name: 'c', type: 'EDS' })).toEqual({ edsServiceName: 'c', sdsSecrets: [] });
    expect(clusterFacts({ name: 'c', type: 'STRICT_DNS' })).toEqual({
      edsServiceName: undefined,
      sdsSecrets: [],
    });
  });

  it('lists the clusters routes use, weighted or not', () => {
    const sut = routeConfigurationFacts({
      name: 'r',
      virtual_hosts: [
        {
          domains: ['*'],
          routes: [
            { route: { cluster: 'a' } },
            { route: { weighted_clusters: { clusters: [{ name: 'b' }, { name: 'c' }] } } },
            { redirect: { path_redirect: '/' } },
          ],
        },
      ],
    });
    expect(sut.clusters).toEqual([
      { name: 'a', weighted: false },
      { name: 'b', weighted: true },
      { name: 'c', weighted: true },
    ]);
    expect(sut.validateClusters).toBeUndefined();
  });

  it('lists extensions by name and type, including per-filter configs and optional filters', () => {
    const uses = extensionUses({
      http_filters: [{ name: 'f', is_optional: true, typed_config: { '@type': 'type.googleapis.com/a.B' } }],
      typed_per_filter_config: {
        g: {
          '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig',
          is_optional: true,
          config: { '@type': 'type.googleapis.com/c.D' },
        },
      },
    });
    expect(uses).toEqual([
      { name: 'g', type: 'c.D', optional: true },
      { name: 'f', type: 'a.B', optional: true },
    ]);
  });
});
