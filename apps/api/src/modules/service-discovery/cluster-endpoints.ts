import { isJsonObject, type JsonObject, type JsonValue } from '@envoy-fleet/domain';

/** One upstream host of a cluster, flattened from a ClusterLoadAssignment. */
export interface UpstreamEndpoint {
  /** `host:port`, or the path of a pipe. */
  readonly address: string;
  readonly healthStatus: string;
  readonly weight: number | null;
  readonly priority: number;
  readonly locality: { readonly region: string; readonly zone: string; readonly subZone: string } | null;
}

/** What a stored Cluster (canonical proto-JSON, defaults omitted) says about itself. */
export interface ClusterSummary {
  readonly type: string;
  readonly lbPolicy: string;
  readonly connectTimeout: string | null;
  /** Where its hosts come from: EDS (a ClusterLoadAssignment of this name), its inline load assignment, or neither. */
  readonly endpointSource: 'eds' | 'inline' | 'none';
  /** For EDS: the name of the ClusterLoadAssignment it asks for. */
  readonly edsServiceName: string | null;
}

const objectAt = (value: JsonValue | undefined): JsonObject => (isJsonObject(value) ? value : {});
const arrayAt = (value: JsonValue | undefined): readonly JsonValue[] =>
  Array.isArray(value) ? (value as readonly JsonValue[]) : [];
const stringAt = (value: JsonValue | undefined): string | null => (typeof value === 'string' ? value : null);

export function summarizeCluster(name: string, cluster: JsonObject): ClusterSummary {
  const type = stringAt(cluster['type']) ?? (cluster['cluster_type'] === undefined ? 'STATIC' : 'CUSTOM');
  const eds = type === 'EDS';
  const inline = cluster['load_assignment'] !== undefined;
  return {
    type,
    lbPolicy: stringAt(cluster['lb_policy']) ?? 'ROUND_ROBIN',
    connectTimeout: stringAt(cluster['connect_timeout']),
    endpointSource: eds ? 'eds' : inline ? 'inline' : 'none',
    edsServiceName: eds ? (stringAt(objectAt(cluster['eds_cluster_config'])['service_name']) ?? name) : null,
  };
}

/** The hosts of a ClusterLoadAssignment, in order of its localities and their endpoints. */
export function endpointsOf(assignment: JsonObject): UpstreamEndpoint[] {
  return arrayAt(assignment['endpoints']).flatMap((entry) => {
    const localityEndpoints = objectAt(entry);
    const locality = isJsonObject(localityEndpoints['locality'])
      ? {
          region: stringAt(localityEndpoints['locality']['region']) ?? '',
          zone: stringAt(localityEndpoints['locality']['zone']) ?? '',
          subZone: stringAt(localityEndpoints['locality']['sub_zone']) ?? '',
        }
      : null;
    const priority = typeof localityEndpoints['priority'] === 'number' ? localityEndpoints['priority'] : 0;
    return arrayAt(localityEndpoints['lb_endpoints']).flatMap((lbEntry): UpstreamEndpoint[] => {
      const lbEndpoint = objectAt(lbEntry);
      const address = addressOf(objectAt(objectAt(lbEndpoint['endpoint'])['address']));
      if (address === null) return [];
      const weight = lbEndpoint['load_balancing_weight'];
      return [
        {
          address,
          healthStatus: stringAt(lbEndpoint['health_status']) ?? 'UNKNOWN',
          weight: typeof weight === 'number' ? weight : null,
          priority,
          locality,
        },
      ];
    });
  });
}

function addressOf(address: JsonObject): string | null {
  const socket = objectAt(address['socket_address']);
  const host = stringAt(socket['address']);
  if (host !== null) {
    const port = socket['port_value'];
    const named = stringAt(socket['named_port']);
    return `${host.includes(':') ? `[${host}]` : host}:${typeof port === 'number' ? port : (named ?? 0)}`;
  }
  return stringAt(objectAt(address['pipe'])['path']);
}
