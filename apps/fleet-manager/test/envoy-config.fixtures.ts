import {
  type ConfigDocument,
  type ConfigDocumentResource,
  emptyConfigDocument,
  type JsonObject,
} from '@envoy-fleet/domain';

const HTTP_CONNECTION_MANAGER =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

const resource = (name: string, body: JsonObject): ConfigDocumentResource => ({ name, labels: {}, body });

/** A listener whose HTTP connection manager fetches `routeConfig` over ADS. */
export function listener(
  name: string,
  port: number,
  routeConfig: string,
  address = '0.0.0.0',
): ConfigDocumentResource {
  return resource(name, {
    name,
    address: { socket_address: { address, port_value: port } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HTTP_CONNECTION_MANAGER,
              stat_prefix: name,
              rds: { route_config_name: routeConfig, config_source: { ads: {} } },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
            },
          },
        ],
      },
    ],
  });
}

/** A route configuration sending every path to `cluster`. */
export function routeConfig(name: string, cluster: string): ConfigDocumentResource {
  return resource(name, {
    name,
    virtual_hosts: [
      { name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] },
    ],
  });
}

/** A cluster whose endpoints come over ADS. */
export function edsCluster(name: string): ConfigDocumentResource {
  return resource(name, {
    name,
    type: 'EDS',
    connect_timeout: '1s',
    eds_cluster_config: { eds_config: { ads: {} } },
  });
}

export function assignment(cluster: string, port: number): ConfigDocumentResource {
  return resource(cluster, {
    cluster_name: cluster,
    endpoints: [
      {
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: port } } } },
        ],
      },
    ],
  });
}

export function configDocument(resources: Partial<ConfigDocument['resources']>): ConfigDocument {
  return { resources: { ...emptyConfigDocument().resources, ...resources } };
}

/** One listener on `port` routing everything to the EDS cluster `cluster`, with its endpoints. */
export function webConfig(cluster: string, port = 10000): ConfigDocument {
  return configDocument({
    listener: [listener('http', port, 'web')],
    route_config: [routeConfig('web', cluster)],
    cluster: [edsCluster(cluster)],
    endpoint: [assignment(cluster, 8080)],
  });
}
