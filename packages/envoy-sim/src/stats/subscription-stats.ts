import { type ConfigStore } from '../config/config-store';
import {
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  LISTENER_TYPE,
  ROUTE_TYPE,
  SECRET_TYPE,
  type XdsTypeUrl,
} from '../xds/xds-types';
import { scopes, type SimStats, type StatScope } from './sim-stats';

const SUBSCRIPTION_COUNTERS = [
  'update_attempt',
  'update_success',
  'update_failure',
  'update_rejected',
  'config_reload',
  'init_fetch_timeout',
];

/**
 * Where Envoy keeps a subscription's stats: `cluster_manager.cds.` and `listener_manager.lds.`; for EDS
 * under each cluster using the name (`cluster.<name>.`), for RDS under each HTTP connection manager
 * using it (`http.<stat_prefix>.rds.<route>.`), for SDS `sds.<secret>.`.
 */
export function subscriptionScopes(
  store: ConfigStore,
  typeUrl: XdsTypeUrl,
  names: readonly string[],
): StatScope[] {
  switch (typeUrl) {
    case CLUSTER_TYPE:
      return [scopes.plain('cluster_manager.cds.')];
    case LISTENER_TYPE:
      return [scopes.plain('listener_manager.lds.')];
    case ENDPOINT_TYPE: {
      const wanted = new Set(names);
      return [...store.clusters.entries()]
        .filter(([, entry]) =>
          [entry.active, entry.warming].some((applied) => {
            const service = applied?.resource.cluster?.edsServiceName;
            return service !== undefined && wanted.has(service);
          }),
        )
        .map(([cluster]) => scopes.cluster(cluster));
    }
    case ROUTE_TYPE:
      return names.flatMap((route) =>
        store.routeStatPrefixes(route).map((prefix) => scopes.rds(prefix, route)),
      );
    case SECRET_TYPE:
      return names.map((secret) => scopes.sds(secret));
  }
}

/** Envoy creates a subscription's counters at zero when it starts. */
export function declareSubscriptionStats(stats: SimStats, scope: StatScope): void {
  for (const name of SUBSCRIPTION_COUNTERS) stats.declare('counter', scope, name);
}

export interface UpdateResult {
  readonly error?: string;
  readonly changed: boolean;
  readonly version: string;
}

/** update_attempt always; then update_rejected, or update_success with config_reload, update_time and version_text. */
export function recordUpdate(
  stats: SimStats,
  scopeList: readonly StatScope[],
  result: UpdateResult,
  now = Date.now(),
): void {
  for (const scope of scopeList) {
    stats.inc(scope, 'update_attempt');
    if (result.error !== undefined) {
      stats.inc(scope, 'update_rejected');
      continue;
    }
    stats.inc(scope, 'update_success');
    if (result.changed) stats.inc(scope, 'config_reload');
    stats.set(scope, 'update_time', now);
    stats.text(scope, 'version_text', result.version);
  }
}

/** A broken stream: every subscription counts an attempt that failed. */
export function recordConnectionFailure(stats: SimStats, scopeList: readonly StatScope[]): void {
  for (const scope of scopeList) {
    stats.inc(scope, 'update_attempt');
    stats.inc(scope, 'update_failure');
  }
}
