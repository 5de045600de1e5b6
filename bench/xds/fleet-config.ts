import { encodeResource, type SnapshotResource, type SnapshotResources } from '@envoy-fleet/xds';

/**
 * The configuration the benchmark fleet is served: proxies in groups, each group with its own serving key
 * (as fleet-manager gives the proxies of one binding one key). A group's snapshot looks like an edge proxy
 * in front of a few dozen services: an ingress and an egress listener (HTTP connection manager over RDS),
 * a route table per listener with a virtual host per service (retries, timeouts, a weighted canary split),
 * one EDS cluster per service (circuit breakers, outlier detection, HTTP health checks) and its endpoints
 * in three zones. Most services are shared by every group (same bytes, one blob in Redis), some are the
 * group's own.
 */

const ADS = { ads: {}, resource_api_version: 'V3' };
const HCM_TYPE =
  'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const ENDPOINTS_PER_ZONE = 3;

export interface FleetShape {
  /** Services every group routes to (identical resources across groups). */
  readonly sharedServices: number;
  /** Services of each group alone. */
  readonly groupServices: number;
}

export const DEFAULT_SHAPE: FleetShape = { sharedServices: 30, groupServices: 10 };

/** Which revision of the fleet-wide change a snapshot carries: 0 before it, 1 after. */
export type Revision = 0 | 1;

/** The service whose endpoints move and the route added by the fleet-wide change. */
const CHANGED_SERVICE = 'shared-svc-0';

function servicesOf(group: number, shape: FleetShape): string[] {
  return [
    ...Array.from({ length: shape.sharedServices }, (_, index) => `shared-svc-${index}`),
    ...Array.from({ length: shape.groupServices }, (_, index) => `g${group}-svc-${index}`),
  ];
}

function listener(name: string, port: number, routeConfigName: string): SnapshotResource {
  return {
    name,
    bytes: encodeResource('listener', {
      name,
      address: { socket_address: { address: '0.0.0.0', port_value: port } },
      per_connection_buffer_limit_bytes: 32_768,
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': HCM_TYPE,
                stat_prefix: name,
                codec_type: 'AUTO',
                use_remote_address: true,
                common_http_protocol_options: {
                  idle_timeout: '300s',
                  headers_with_underscores_action: 'REJECT_REQUEST',
                },
                request_timeout: '60s',
                rds: { route_config_name: routeConfigName, config_source: ADS },
                http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
              },
            },
          ],
        },
      ],
    }),
  };
}

function virtualHost(service: string, domainSuffix: string, canary: boolean): Record<string, unknown> {
  const retry = {
    retry_on: '5xx,reset,connect-failure,refused-stream',
    num_retries: 2,
    per_try_timeout: '2s',
    retry_back_off: { base_interval: '0.025s', max_interval: '0.25s' },
  };
  const routes: Record<string, unknown>[] = [
    {
      name: `${service}-health`,
      match: { path: '/healthz' },
      direct_response: { status: 200, body: { inline_string: 'ok' } },
    },
    {
      name: `${service}-api`,
      match: { prefix: '/api/', headers: [{ name: 'x-tenant', present_match: true }] },
      route: canary
        ? {
            weighted_clusters: {
              clusters: [
                { name: service, weight: 95 },
                { name: `${service}-canary`, weight: 5 },
              ],
            },
            timeout: '15s',
            retry_policy: retry,
          }
        : { cluster: service, timeout: '15s', retry_policy: retry },
    },
    {
      name: `${service}-default`,
      match: { prefix: '/' },
      route: { cluster: service, timeout: '30s', idle_timeout: '120s' },
      request_headers_to_add: [{ header: { key: 'x-envoy-fleet-service', value: service } }],
    },
  ];
  return {
    name: service,
    domains: [`${service}.${domainSuffix}`, `${service}.${domainSuffix}:*`],
    routes,
  };
}

function routeConfiguration(
  name: string,
  services: readonly string[],
  domainSuffix: string,
  revision: Revision,
): SnapshotResource {
  const hosts = services.map((service, index) => virtualHost(service, domainSuffix, index % 10 === 0));
  // The fleet-wide change adds a maintenance route in front of the changed service.
  const withChange =
    revision === 0
      ? hosts
      : hosts.map((host) =>
          host['name'] === CHANGED_SERVICE
            ? {
                ...host,
                routes: [
                  {
                    name: `${CHANGED_SERVICE}-maintenance`,
                    match: { prefix: '/maintenance' },
                    direct_response: { status: 503, body: { inline_string: 'maintenance' } },
                  },
                  ...(host['routes'] as unknown[]),
                ],
              }
            : host,
        );
  return {
    name,
    bytes: encodeResource('route', { name, virtual_hosts: withChange, validate_clusters: false }),
  };
}

function cluster(name: string): SnapshotResource {
  return {
    name,
    bytes: encodeResource('cluster', {
      name,
      type: 'EDS',
      connect_timeout: '0.5s',
      lb_policy: 'LEAST_REQUEST',
      eds_cluster_config: { eds_config: ADS, service_name: name },
      circuit_breakers: {
        thresholds: [
          { priority: 'DEFAULT', max_connections: 4096, max_pending_requests: 1024, max_retries: 16 },
        ],
      },
      outlier_detection: {
        consecutive_5xx: 5,
        interval: '10s',
        base_ejection_time: '30s',
        max_ejection_percent: 50,
      },
      health_checks: [
        {
          timeout: '1s',
          interval: '5s',
          unhealthy_threshold: 3,
          healthy_threshold: 2,
          http_health_check: { path: '/healthz' },
        },
      ],
      common_lb_config: { healthy_panic_threshold: { value: 40 } },
    }),
  };
}

function endpoints(name: string, seed: number, revision: Revision): SnapshotResource {
  // The fleet-wide change replaces the changed service's endpoints (a deploy moved its pods).
  const generation = name === CHANGED_SERVICE ? revision : 0;
  return {
    name,
    bytes: encodeResource('endpoint', {
      cluster_name: name,
      endpoints: ZONES.map((zone, zoneIndex) => ({
        locality: { region: 'eu-west', zone },
        load_balancing_weight: 100,
        lb_endpoints: Array.from({ length: ENDPOINTS_PER_ZONE }, (_, index) => ({
          endpoint: {
            address: {
              socket_address: {
                address: `10.${(seed + generation * 101) % 250}.${zoneIndex * 10 + index}.${(seed * 7) % 250}`,
                port_value: 8080,
              },
            },
            health_check_config: { port_value: 8081 },
          },
          health_status: 'HEALTHY',
          load_balancing_weight: 1,
        })),
      })),
      policy: { overprovisioning_factor: 140 },
    }),
  };
}

/** The snapshot of one group at one revision. */
export function groupSnapshot(
  group: number,
  revision: Revision,
  shape: FleetShape = DEFAULT_SHAPE,
): SnapshotResources {
  const services = servicesOf(group, shape);
  const canaries = services.filter((_, index) => index % 10 === 0).map((service) => `${service}-canary`);
  const upstreams = [...services, ...canaries];
  const shared = (name: string) => name.startsWith('shared-');
  const seedOf = (name: string, index: number) => (shared(name) ? index : group * 37 + index);
  const half = Math.ceil(services.length / 2);
  return {
    listener: [
      listener('ingress-http', 8080, 'ingress-routes'),
      listener('egress-http', 9090, 'egress-routes'),
    ],
    route: [
      routeConfiguration('ingress-routes', services.slice(0, half), 'internal.example.com', revision),
      routeConfiguration('egress-routes', services.slice(half), 'mesh.example.com', revision),
    ],
    cluster: upstreams.map((name) => cluster(name)),
    endpoint: upstreams.map((name, index) => endpoints(name, seedOf(name, index), revision)),
    secret: [],
  };
}

/** Resource types the fleet-wide change touches (endpoints of one service, one route table). */
export const CHANGED_TYPES = ['endpoint', 'route'] as const;
