import { isJsonObject, type JsonObject, type JsonValue } from '@envoy-fleet/domain';
import { findPortClashes } from '@envoy-fleet/xds';
import {
  emptyAssignment,
  SNAPSHOT_KINDS,
  type TranslatedResource,
  type TranslatedResources,
} from './config-translation';

export type ConsistencyResult =
  | { readonly ok: true; readonly resources: TranslatedResources }
  | { readonly ok: false; readonly issues: readonly string[] };

const HTTP_CONNECTION_MANAGER =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/**
 * Checks that the resources form a snapshot Envoy can use as a whole (go-control-plane's `Consistent()`
 * and more): no two resources of a kind share a name, every route configuration a listener names exists,
 * every cluster a route names exists, no two listeners bind the same port, and every EDS cluster has a
 * ClusterLoadAssignment. An EDS cluster without one gets an empty assignment rather than a rejection, so
 * Envoy does not wait for endpoints that will never come; that is the only change made.
 */
export function checkConsistency(resources: TranslatedResources): ConsistencyResult {
  const issues = [
    ...duplicateNames(resources),
    ...missingRouteConfigurations(resources),
    ...missingClusters(resources),
    ...portClashes(resources.listener),
  ];
  if (issues.length > 0) return { ok: false, issues };
  const assigned = new Set(resources.endpoint.map((assignment) => assignment.name));
  const missing = resources.cluster
    .flatMap((cluster) => {
      const serviceName = edsServiceName(cluster.json);
      return serviceName === undefined || assigned.has(serviceName) ? [] : [serviceName];
    })
    .filter((name, index, names) => names.indexOf(name) === index);
  return {
    ok: true,
    resources: { ...resources, endpoint: [...resources.endpoint, ...missing.map(emptyAssignment)] },
  };
}

function duplicateNames(resources: TranslatedResources): string[] {
  return SNAPSHOT_KINDS.flatMap((kind) => {
    const seen = new Set<string>();
    return resources[kind].flatMap(({ name }) => {
      if (!seen.has(name)) {
        seen.add(name);
        return [];
      }
      return [`${kind} "${name}" is defined twice`];
    });
  });
}

function missingRouteConfigurations(resources: TranslatedResources): string[] {
  const routes = new Set(resources.route.map((route) => route.name));
  return resources.listener.flatMap((listener) =>
    routeConfigurationNames(listener.json)
      .filter((name) => !routes.has(name))
      .map((name) => `listener "${listener.name}" uses route configuration "${name}", which is not defined`),
  );
}

function missingClusters(resources: TranslatedResources): string[] {
  const clusters = new Set(resources.cluster.map((cluster) => cluster.name));
  return resources.route.flatMap((route) =>
    routedClusterNames(route.json)
      .filter((name) => !clusters.has(name))
      .map((name) => `route configuration "${route.name}" routes to cluster "${name}", which is not defined`),
  );
}

function portClashes(listeners: readonly TranslatedResource[]): string[] {
  return findPortClashes(listeners.map((listener) => listener.json)).map(({ index, heldBy, binding }) => {
    const [holder, clashing] = [listeners[heldBy]?.name, listeners[index]?.name];
    return `listeners "${holder}" and "${clashing}" both bind ${binding.protocol} port ${binding.port}`;
  });
}

/** The `rds.route_config_name` of every HTTP connection manager of a listener. */
function routeConfigurationNames(listener: JsonObject): string[] {
  const chains = [...arrayAt(listener, 'filter_chains'), listener.default_filter_chain];
  return chains.flatMap((chain) =>
    arrayAt(objectAt(chain), 'filters').flatMap((filter) => {
      const config = objectAt(objectAt(filter), 'typed_config');
      if (config?.['@type'] !== HTTP_CONNECTION_MANAGER) return [];
      const name = stringAt(objectAt(config, 'rds'), 'route_config_name');
      return name === undefined ? [] : [name];
    }),
  );
}

/** Every cluster a route configuration sends traffic to by name (direct or weighted). */
function routedClusterNames(route: JsonObject): string[] {
  return arrayAt(route, 'virtual_hosts').flatMap((host) =>
    arrayAt(objectAt(host), 'routes').flatMap((entry) => {
      const action = objectAt(objectAt(entry), 'route');
      const direct = stringAt(action, 'cluster');
      const weighted = arrayAt(objectAt(action, 'weighted_clusters'), 'clusters').flatMap((cluster) => {
        const name = stringAt(objectAt(cluster), 'name');
        return name === undefined ? [] : [name];
      });
      return direct === undefined ? weighted : [direct, ...weighted];
    }),
  );
}

/** The name an EDS cluster asks endpoints for (`service_name`, else its own), or undefined if not EDS. */
function edsServiceName(cluster: JsonObject): string | undefined {
  if (cluster.type !== 'EDS') return undefined;
  return stringAt(objectAt(cluster, 'eds_cluster_config'), 'service_name') ?? stringAt(cluster, 'name');
}

function objectAt(value: JsonValue | undefined, key?: string): JsonObject | undefined {
  const target = key === undefined || !isJsonObject(value) ? value : value[key];
  return isJsonObject(target) ? target : undefined;
}

function arrayAt(value: JsonObject | undefined, key: string): readonly JsonValue[] {
  const target = value?.[key];
  return Array.isArray(target) ? (target as readonly JsonValue[]) : [];
}

function stringAt(value: JsonObject | undefined, key: string): string | undefined {
  const target = value?.[key];
  return typeof target === 'string' && target !== '' ? target : undefined;
}
