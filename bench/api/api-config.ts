const HCM =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

/**
 * A ProxyConfig as operators write one for an edge proxy: a listener taking its routes over ADS, a
 * route table with a regex and a prefix route to two EDS clusters, and their endpoints.
 */
export function edgeProxyConfig(name: string): Record<string, unknown> {
  const clusters = ['api', 'web'];
  return {
    apiVersion: 'v1',
    kind: 'ProxyConfig',
    metadata: { name, labels: { team: 'edge', bench: 'api' } },
    spec: {
      listeners: [
        {
          name: 'http',
          address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
          filter_chains: [
            {
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': HCM,
                    stat_prefix: 'http',
                    rds: {
                      route_config_name: 'edge_routes',
                      config_source: { ads: {}, resource_api_version: 'V3' },
                    },
                    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
                  },
                },
              ],
            },
          ],
        },
      ],
      routes: [
        {
          name: 'edge_routes',
          virtual_hosts: [
            {
              name: 'edge',
              domains: ['*'],
              routes: [
                {
                  match: { safe_regex: { regex: '^/api/v[0-9]+/.*' } },
                  route: { cluster: 'api', timeout: '5s' },
                },
                { match: { prefix: '/' }, route: { cluster: 'web' } },
              ],
            },
          ],
        },
      ],
      clusters: clusters.map((cluster) => ({
        name: cluster,
        type: 'EDS',
        connect_timeout: '2s',
        eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
      })),
      endpoints: clusters.map((cluster, index) => ({
        cluster_name: cluster,
        endpoints: [
          {
            lb_endpoints: [1, 2, 3].map((host) => ({
              endpoint: {
                address: { socket_address: { address: `10.0.${index}.${host}`, port_value: 8080 } },
              },
            })),
          },
        ],
      })),
      secrets: [],
    },
  };
}
