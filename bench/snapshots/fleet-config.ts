const HCM =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const ZONES = ['zone-a', 'zone-b', 'zone-c'];

export interface FleetShape {
  readonly listeners: number;
  /** Routes in all, spread over one route table per listener. */
  readonly routes: number;
  readonly clusters: number;
  /** Endpoints in all, spread evenly over the clusters and their zones. */
  readonly endpoints: number;
}

export const clusterName = (index: number): string => `svc-${String(index).padStart(3, '0')}`;

/**
 * The ProxyConfig every proxy of the fleet runs: HTTP listeners taking their route tables over ADS,
 * routes spread over the tables (prefix routes with a retry policy and a timeout, one cluster each),
 * EDS clusters, and their endpoints in three zones. `revision` moves the endpoints of one cluster
 * (`changedCluster`) to other addresses: the one-cluster endpoint change.
 */
export function fleetConfig(
  name: string,
  shape: FleetShape,
  revision = 0,
  changedCluster = 0,
): Record<string, unknown> {
  const routesPerTable = Math.ceil(shape.routes / shape.listeners);
  const endpointsPerCluster = Math.ceil(shape.endpoints / shape.clusters);
  const listeners = Array.from({ length: shape.listeners }, (_, index) => ({
    name: `http_${index}`,
    address: { socket_address: { address: '0.0.0.0', port_value: 8080 + index } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM,
              stat_prefix: `http_${index}`,
              rds: {
                route_config_name: `routes_${index}`,
                config_source: { ads: {}, resource_api_version: 'V3' },
              },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
            },
          },
        ],
      },
    ],
  }));
  const routes = listeners.map((_, table) => ({
    name: `routes_${table}`,
    virtual_hosts: [
      {
        name: `vhost_${table}`,
        domains: ['*'],
        routes: Array.from({ length: routesPerTable }, (_, offset) => table * routesPerTable + offset)
          .filter((route) => route < shape.routes)
          .map((route) => ({
            match: { prefix: `/${clusterName(route % shape.clusters)}/r${route}/` },
            route: {
              cluster: clusterName(route % shape.clusters),
              timeout: '5s',
              retry_policy: { retry_on: '5xx,reset', num_retries: 2 },
            },
          })),
      },
    ],
  }));
  const clusters = Array.from({ length: shape.clusters }, (_, index) => ({
    name: clusterName(index),
    type: 'EDS',
    connect_timeout: '1s',
    lb_policy: 'LEAST_REQUEST',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' } },
  }));
  const endpoints = clusters.map((cluster, index) => {
    const moved = index === changedCluster ? revision : 0;
    return {
      cluster_name: cluster.name,
      endpoints: ZONES.map((zone, zoneIndex) => ({
        locality: { region: 'bench', zone },
        lb_endpoints: Array.from(
          { length: Math.ceil(endpointsPerCluster / ZONES.length) },
          (_, host) => zoneIndex * Math.ceil(endpointsPerCluster / ZONES.length) + host,
        )
          .filter((host) => host < endpointsPerCluster)
          .map((host) => ({
            endpoint: {
              address: {
                socket_address: {
                  address: `10.${(index + moved) % 256}.${Math.floor(host / 256)}.${host % 256}`,
                  port_value: 8080 + moved,
                },
              },
            },
          })),
      })),
    };
  });
  return {
    apiVersion: 'v1',
    kind: 'ProxyConfig',
    metadata: { name, labels: { bench: 'snapshots' } },
    spec: { listeners, routes, clusters, endpoints, secrets: [] },
  };
}
