import {
  clusterJson,
  endpointJson,
  listenerJson,
  routeJson,
  secretJson,
} from '@envoy-fleet/test-kit/snapshots';
import { encodeResource, type ResourceKind } from '@envoy-fleet/xds';
import { ResourceCatalog, type DecodedResource } from '../src/xds/resource-catalog';
import {
  type XdsTypeUrl,
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  LISTENER_TYPE,
  ROUTE_TYPE,
  SECRET_TYPE,
} from '../src/xds/xds-types';

/** Envoy resources for specs: the test-kit fixtures, with the variations the checks need. */

export const TYPE_OF_KIND: Readonly<
  Record<'listener' | 'route' | 'cluster' | 'endpoint' | 'secret', XdsTypeUrl>
> = {
  listener: LISTENER_TYPE,
  route: ROUTE_TYPE,
  cluster: CLUSTER_TYPE,
  endpoint: ENDPOINT_TYPE,
  secret: SECRET_TYPE,
};

export const ROUTER_FILTER = {
  name: 'envoy.filters.http.router',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router' },
};

export const CORS_FILTER = {
  name: 'envoy.filters.http.cors',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors' },
};

export function listener(
  name: string,
  port: number,
  routeConfigName = `${name}-routes`,
): Record<string, unknown> {
  return listenerJson({ name, port, routeConfigName });
}

/** A listener whose HTTP connection manager has these HTTP filters. */
export function listenerWithFilters(
  name: string,
  port: number,
  httpFilters: unknown[],
): Record<string, unknown> {
  const json = listener(name, port) as {
    filter_chains: { filters: { typed_config: Record<string, unknown> }[] }[];
  };
  const hcm = json.filter_chains[0]!.filters[0]!.typed_config;
  hcm['http_filters'] = httpFilters;
  return json;
}

/** A listener with an inline route table instead of RDS. */
export function listenerWithInlineRoutes(
  name: string,
  port: number,
  cluster: string,
): Record<string, unknown> {
  const json = listener(name, port) as {
    filter_chains: { filters: { typed_config: Record<string, unknown> }[] }[];
  };
  const hcm = json.filter_chains[0]!.filters[0]!.typed_config;
  delete hcm['rds'];
  hcm['route_config'] = routeJson({ name: `${name}-inline`, clusters: [{ name: cluster }] });
  return json;
}

export function route(name: string, clusters: string[], validateClusters?: boolean): Record<string, unknown> {
  const json = routeJson({ name, clusters: clusters.map((cluster) => ({ name: cluster })) });
  return validateClusters === undefined ? json : { ...json, validate_clusters: validateClusters };
}

export function cluster(
  name: string,
  options: { tlsSecretName?: string; connectTimeoutSeconds?: number } = {},
) {
  return clusterJson({ name, ...options });
}

export function staticCluster(name: string): Record<string, unknown> {
  return { name, type: 'STATIC', connect_timeout: '1s' };
}

export function endpoints(clusterName: string, port = 9000): Record<string, unknown> {
  return endpointJson({ clusterName, endpoints: [{ address: '127.0.0.1', port }] });
}

export function secret(name: string): Record<string, unknown> {
  return secretJson(name);
}

export function encode(kind: ResourceKind, json: Record<string, unknown>): Uint8Array {
  return encodeResource(kind, json);
}

/** Decodes through a fresh catalog, failing the spec if the codec rejects the resource. */
export function decoded(kind: keyof typeof TYPE_OF_KIND, json: Record<string, unknown>): DecodedResource {
  const result = new ResourceCatalog().decode(TYPE_OF_KIND[kind], encode(kind, json));
  if (!result.ok) throw new Error(result.message);
  return result.resource;
}

/** A resource packed as DiscoveryResponse carries it. */
export function any(
  kind: keyof typeof TYPE_OF_KIND,
  json: Record<string, unknown>,
): { typeUrl: string; value: Uint8Array } {
  return { typeUrl: TYPE_OF_KIND[kind], value: encode(kind, json) };
}
