import { type DecodedResource } from '../xds/resource-catalog';
import { type HttpConnectionManagerUse, type RouteConfigurationFacts } from '../xds/resource-references';
import { LISTENER_TYPE, ROUTE_TYPE, TYPE_SHORT_NAMES } from '../xds/xds-types';
import { lacksExtension, type RejectPolicy } from './reject-policy';

/** Filters Envoy registers as terminal: nothing may follow them in their chain. */
const TERMINAL_FILTERS: Readonly<Record<string, string>> = {
  'envoy.extensions.filters.http.router.v3.Router': 'envoy.filters.http.router',
  'envoy.extensions.filters.http.upstream_codec.v3.UpstreamCodec': 'envoy.filters.http.upstream_codec',
  'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager':
    'envoy.filters.network.http_connection_manager',
  'envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy': 'envoy.filters.network.tcp_proxy',
  'envoy.extensions.filters.network.direct_response.v3.Config': 'envoy.filters.network.direct_response',
  'envoy.extensions.filters.network.redis_proxy.v3.RedisProxy': 'envoy.filters.network.redis_proxy',
};

export interface CheckContext {
  readonly policy: RejectPolicy;
  readonly hasCluster: (name: string) => boolean;
}

function terminalFilterError(
  filters: readonly { name: string; type: string }[],
  chainType: string,
): string | undefined {
  for (const [index, filter] of filters.entries()) {
    const factory = TERMINAL_FILTERS[filter.type];
    if (factory && index < filters.length - 1) {
      return `Error: terminal filter named ${filter.name} of type ${factory} must be the last filter in a ${chainType} filter chain.`;
    }
  }
  return undefined;
}

/** Envoy's RouteEntryImplBase::validateClusters: the first route naming a cluster the cluster manager lacks. */
function unknownClusterError(routes: RouteConfigurationFacts, context: CheckContext): string | undefined {
  const unknown = routes.clusters.find((cluster) => !context.hasCluster(cluster.name));
  if (!unknown) return undefined;
  return unknown.weighted
    ? `route: unknown weighted cluster '${unknown.name}'`
    : `route: unknown cluster '${unknown.name}'`;
}

function routeConfigurationError(
  routes: RouteConfigurationFacts,
  validateByDefault: boolean,
  context: CheckContext,
): string | undefined {
  const domainProblem = routes.domainProblems[0];
  if (domainProblem) return domainProblem;
  return (routes.validateClusters ?? validateByDefault) ? unknownClusterError(routes, context) : undefined;
}

function connectionManagerError(
  manager: HttpConnectionManagerUse,
  context: CheckContext,
): string | undefined {
  const terminal = terminalFilterError(manager.httpFilters, 'http');
  if (terminal) return terminal;
  // An inline route table is validated against the clusters at load: `validate_clusters` defaults to true.
  return manager.inlineRoutes ? routeConfigurationError(manager.inlineRoutes, true, context) : undefined;
}

/**
 * Why Envoy would refuse this resource on its own, apart from conflicts with other resources of the
 * same update (duplicate names, listener addresses), which the config store checks. Messages are
 * Envoy's, so a control plane shows operators what a real Envoy would say.
 */
export function resourceError(resource: DecodedResource, context: CheckContext): string | undefined {
  const { policy } = context;
  if (policy.rejectAllOf.includes(resource.typeUrl)) {
    return `simulated rejection of every ${TYPE_SHORT_NAMES[resource.typeUrl]} update (envoy-sim --reject-all)`;
  }
  if (policy.rejectNames?.test(resource.name)) {
    return `simulated rejection of '${resource.name}' (envoy-sim --reject-name ${policy.rejectNames.source})`;
  }
  const missing = resource.extensions.find(
    (use) => !use.optional && lacksExtension(policy, use.name, use.type),
  );
  if (missing) {
    return `Didn't find a registered implementation for '${missing.name}' with type URL: '${missing.type}'`;
  }
  if (resource.typeUrl === LISTENER_TYPE && resource.listener) {
    for (const chain of resource.listener.filterChains) {
      const terminal = terminalFilterError(chain, 'network');
      if (terminal) return terminal;
    }
    for (const manager of resource.listener.connectionManagers) {
      const error = connectionManagerError(manager, context);
      if (error) return error;
    }
  }
  if (resource.typeUrl === ROUTE_TYPE && resource.routes) {
    // Over RDS, `validate_clusters` defaults to false: unknown clusters answer 503 at request time.
    return routeConfigurationError(resource.routes, false, context);
  }
  return undefined;
}
