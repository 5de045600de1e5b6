import { encodeResource, type ResourceKind, type SnapshotResource } from '@envoy-fleet/xds';

/**
 * Realistic Envoy resources for tests, encoded by the product's codec (so they pass its validation).
 * Publish them with `publishSnapshot` of @envoy-fleet/snapshot-store, as fleet-manager does (test-kit
 * does not depend on snapshot-store, whose own tests depend on test-kit).
 */

const ADS = { ads: {}, resource_api_version: 'V3' };
const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';

export interface ListenerFixture {
  readonly name: string;
  readonly port: number;
  /** The RouteConfiguration the HTTP connection manager fetches over RDS (ADS). */
  readonly routeConfigName: string;
}

export interface RouteFixture {
  readonly name: string;
  /** Clusters the single virtual host routes to, by weight (one cluster: all traffic). */
  readonly clusters: readonly { readonly name: string; readonly weight?: number }[];
}

export interface ClusterFixture {
  readonly name: string;
  /** The ClusterLoadAssignment name it asks EDS for; defaults to the cluster name. */
  readonly edsServiceName?: string;
  /** Upstream TLS whose client certificate comes over SDS by this secret name. */
  readonly tlsSecretName?: string;
  /** Changes the encoded bytes without changing references (to test updates of the cluster alone). */
  readonly connectTimeoutSeconds?: number;
}

export interface EndpointFixture {
  readonly clusterName: string;
  readonly endpoints: readonly { readonly address: string; readonly port: number }[];
}

export function listenerJson(fixture: ListenerFixture): Record<string, unknown> {
  return {
    name: fixture.name,
    address: { socket_address: { address: '0.0.0.0', port_value: fixture.port } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: {
              '@type': HCM_TYPE,
              stat_prefix: fixture.name,
              rds: { route_config_name: fixture.routeConfigName, config_source: ADS },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
            },
          },
        ],
      },
    ],
  };
}

export function routeJson(fixture: RouteFixture): Record<string, unknown> {
  const [only] = fixture.clusters;
  const action =
    fixture.clusters.length === 1 && only
      ? { cluster: only.name }
      : {
          weighted_clusters: {
            clusters: fixture.clusters.map((cluster) => ({
              name: cluster.name,
              weight: cluster.weight ?? 1,
            })),
          },
        };
  return {
    name: fixture.name,
    virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: action }] }],
  };
}

export function clusterJson(fixture: ClusterFixture): Record<string, unknown> {
  return {
    name: fixture.name,
    type: 'EDS',
    connect_timeout: `${fixture.connectTimeoutSeconds ?? 1}s`,
    eds_cluster_config: { eds_config: ADS, service_name: fixture.edsServiceName ?? fixture.name },
    ...(fixture.tlsSecretName === undefined
      ? {}
      : {
          transport_socket: {
            name: 'envoy.transport_sockets.tls',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
              common_tls_context: {
                tls_certificate_sds_secret_configs: [{ name: fixture.tlsSecretName, sds_config: ADS }],
              },
            },
          },
        }),
  };
}

export function endpointJson(fixture: EndpointFixture): Record<string, unknown> {
  return {
    cluster_name: fixture.clusterName,
    endpoints:
      fixture.endpoints.length === 0
        ? []
        : [
            {
              lb_endpoints: fixture.endpoints.map((endpoint) => ({
                endpoint: {
                  address: { socket_address: { address: endpoint.address, port_value: endpoint.port } },
                },
              })),
            },
          ],
  };
}

export function secretJson(name: string, secretValue = name): Record<string, unknown> {
  return { name, generic_secret: { secret: { inline_string: secretValue } } };
}

function resource(kind: ResourceKind, name: string, json: Record<string, unknown>): SnapshotResource {
  return { name, bytes: encodeResource(kind, json) };
}

export const listenerResource = (fixture: ListenerFixture) =>
  resource('listener', fixture.name, listenerJson(fixture));
export const routeResource = (fixture: RouteFixture) => resource('route', fixture.name, routeJson(fixture));
export const clusterResource = (fixture: ClusterFixture) =>
  resource('cluster', fixture.name, clusterJson(fixture));
export const endpointResource = (fixture: EndpointFixture) =>
  resource('endpoint', fixture.clusterName, endpointJson(fixture));
export const secretResource = (name: string, secretValue?: string) =>
  resource('secret', name, secretJson(name, secretValue));

/** The resources of one snapshot by kind; every kind is listed, empty or not. A type alias, not an
 *  interface, so that it is assignable to the `SnapshotResources` record that publishSnapshot takes. */
export type FixtureResources = {
  readonly listener: readonly SnapshotResource[];
  readonly route: readonly SnapshotResource[];
  readonly cluster: readonly SnapshotResource[];
  readonly endpoint: readonly SnapshotResource[];
  readonly secret: readonly SnapshotResource[];
};

export interface EdgeSnapshotOptions {
  /** Cluster names; each gets a ClusterLoadAssignment with one endpoint on 127.0.0.1 (port 9000 + index). */
  readonly clusters?: readonly string[];
  /** Listener names; each has its own route (`<listener>-routes`) to every cluster, equally weighted. */
  readonly listeners?: readonly string[];
}

/** A consistent snapshot: listeners → routes → clusters → endpoints, every reference resolvable. */
export function edgeSnapshot(options: EdgeSnapshotOptions = {}): FixtureResources {
  const clusters = options.clusters ?? ['backend'];
  const listeners = options.listeners ?? ['http'];
  return {
    listener: listeners.map((name, index) =>
      listenerResource({ name, port: 10_000 + index, routeConfigName: `${name}-routes` }),
    ),
    route: listeners.map((name) =>
      routeResource({ name: `${name}-routes`, clusters: clusters.map((cluster) => ({ name: cluster })) }),
    ),
    cluster: clusters.map((name) => clusterResource({ name })),
    endpoint: clusters.map((name, index) =>
      endpointResource({ clusterName: name, endpoints: [{ address: '127.0.0.1', port: 9_000 + index }] }),
    ),
    secret: [],
  };
}
