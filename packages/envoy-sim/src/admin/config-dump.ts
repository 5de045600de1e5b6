import { type JsonObject, type JsonValue } from '@bufbuild/protobuf';
import { type SimBootstrap } from '../bootstrap/sim-bootstrap';
import {
  type AppliedResource,
  type ConfigStore,
  type FailedUpdate,
  type ResourceEntry,
} from '../config/config-store';
import { type DecodedResource, resourceJson } from '../xds/resource-catalog';
import { CLUSTER_TYPE, LISTENER_TYPE, type XdsTypeUrl } from '../xds/xds-types';

const ADMIN = 'type.googleapis.com/envoy.admin.v3.';

export interface ConfigDumpQuery {
  /** `?include_eds`: EDS is left out unless asked for, as in Envoy. */
  readonly includeEds?: boolean;
  /** `?resource=dynamic_listeners`: only the elements of that repeated field. */
  readonly resource?: string;
  /** `?name_regex=`: only resources whose name matches. */
  readonly nameRegex?: RegExp;
}

export interface ConfigDumpSource {
  readonly bootstrap: SimBootstrap;
  readonly store: ConfigStore;
  readonly startedAt: number;
  /** The last accepted version of LDS and CDS (the dumps' top-level `version_info`). */
  readonly typeVersion: (typeUrl: XdsTypeUrl) => string;
}

function timestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const SENSITIVE_FIELDS = new Set(['private_key', 'password']);

/** Envoy redacts the sensitive fields of TLS certificates (private key, password) before dumping. */
function redact(value: JsonValue, sensitive = false): JsonValue {
  if (typeof value === 'string') return sensitive ? '[redacted]' : value;
  if (Array.isArray(value)) return value.map((item) => redact(item, sensitive));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, redact(item, sensitive || SENSITIVE_FIELDS.has(key))]),
  );
}

function packed(resource: DecodedResource): JsonObject {
  const json = resourceJson(resource);
  return {
    '@type': resource.typeUrl,
    ...(resource.typeUrl.endsWith('.Secret') ? (redact(json) as JsonObject) : json),
  };
}

function errorState(error: FailedUpdate): JsonObject {
  return {
    ...(error.resource ? { failed_configuration: packed(error.resource) } : {}),
    last_update_attempt: timestamp(error.lastUpdateAttempt),
    details: error.details,
    ...(error.versionInfo ? { version_info: error.versionInfo } : {}),
  };
}

function state(applied: AppliedResource, field: string): JsonObject {
  return {
    version_info: applied.version,
    [field]: packed(applied.resource),
    last_updated: timestamp(applied.lastUpdated),
  };
}

/** The ADS cluster's name when the bootstrap lists several xDS servers. */
const XDS_CLUSTER = 'xds_cluster';

export function bootstrapJson(bootstrap: SimBootstrap): JsonObject {
  const { node, xds, admin } = bootstrap;
  const alternates = xds.alternateEndpoints ?? [];
  const locality: JsonObject = {};
  if (node.locality.region) locality['region'] = node.locality.region;
  if (node.locality.zone) locality['zone'] = node.locality.zone;
  if (node.locality.subZone) locality['sub_zone'] = node.locality.subZone;
  const [major = 0, minor = 0, patch = 0] = node.userAgentVersion.split('.').map(Number);
  return {
    node: {
      id: node.id,
      cluster: node.cluster,
      metadata: node.metadata as JsonObject,
      locality,
      user_agent_name: node.userAgentName,
      user_agent_build_version: { version: { major_number: major, minor_number: minor, patch } },
      client_features: [...node.clientFeatures],
    },
    dynamic_resources: {
      ads_config: {
        api_type: xds.mode === 'delta' ? 'DELTA_GRPC' : 'GRPC',
        transport_api_version: 'V3',
        grpc_services: [
          alternates.length === 0
            ? { google_grpc: { target_uri: `${xds.host}:${xds.port}`, stat_prefix: 'ads' } }
            : { envoy_grpc: { cluster_name: XDS_CLUSTER } },
        ],
        set_node_on_first_message_only: xds.setNodeOnFirstMessageOnly,
      },
      lds_config: { ads: {}, resource_api_version: 'V3' },
      cds_config: { ads: {}, resource_api_version: 'V3' },
    },
    ...(alternates.length === 0
      ? {}
      : {
          static_resources: {
            clusters: [
              {
                name: XDS_CLUSTER,
                type: 'STATIC',
                load_assignment: {
                  cluster_name: XDS_CLUSTER,
                  endpoints: [
                    {
                      lb_endpoints: [xds, ...alternates].map((server) => ({
                        endpoint: {
                          address: { socket_address: { address: server.host, port_value: server.port } },
                        },
                      })),
                    },
                  ],
                },
              },
            ],
          },
        }),
    ...(admin
      ? { admin: { address: { socket_address: { address: admin.address, port_value: admin.port } } } }
      : {}),
  };
}

interface Section {
  readonly type: string;
  readonly top: JsonObject;
  readonly repeated: Readonly<
    Record<string, { readonly elementType: string; readonly items: readonly JsonObject[] }>
  >;
}

function matching(entries: Map<string, ResourceEntry>, query: ConfigDumpQuery): [string, ResourceEntry][] {
  return [...entries.entries()].filter(([name]) => !query.nameRegex || query.nameRegex.test(name));
}

function listenersSection(source: ConfigDumpSource, query: ConfigDumpQuery): Section {
  const items = matching(source.store.listeners, query).map(([name, entry]) => ({
    name,
    ...(entry.active ? { active_state: state(entry.active, 'listener') } : {}),
    ...(entry.warming ? { warming_state: state(entry.warming, 'listener') } : {}),
    ...(entry.error ? { error_state: errorState(entry.error) } : {}),
  }));
  return {
    type: 'ListenersConfigDump',
    top: { version_info: source.typeVersion(LISTENER_TYPE) },
    repeated: { dynamic_listeners: { elementType: 'ListenersConfigDump.DynamicListener', items } },
  };
}

function clustersSection(source: ConfigDumpSource, query: ConfigDumpQuery): Section {
  const entries = matching(source.store.clusters, query);
  const dynamic = (applied: AppliedResource, error?: FailedUpdate): JsonObject => ({
    ...state(applied, 'cluster'),
    ...(error ? { error_state: errorState(error) } : {}),
  });
  return {
    type: 'ClustersConfigDump',
    top: { version_info: source.typeVersion(CLUSTER_TYPE) },
    repeated: {
      dynamic_active_clusters: {
        elementType: 'ClustersConfigDump.DynamicCluster',
        items: entries.flatMap(([, entry]) =>
          entry.active ? [dynamic(entry.active, entry.warming ? undefined : entry.error)] : [],
        ),
      },
      dynamic_warming_clusters: {
        elementType: 'ClustersConfigDump.DynamicCluster',
        items: entries.flatMap(([, entry]) => (entry.warming ? [dynamic(entry.warming, entry.error)] : [])),
      },
    },
  };
}

function simpleSection(
  entries: Map<string, ResourceEntry>,
  query: ConfigDumpQuery,
  type: string,
  repeatedField: string,
  elementType: string,
  resourceField: string,
  withName: boolean,
): Section {
  const items = [...entries.entries()]
    .filter(([name, entry]) => entry.active && (!query.nameRegex || query.nameRegex.test(name)))
    .map(([name, entry]) => {
      const applied = entry.active as AppliedResource;
      return {
        ...(withName ? { name } : {}),
        ...state(applied, resourceField),
        ...(entry.error ? { error_state: errorState(entry.error) } : {}),
      };
    });
  return { type, top: {}, repeated: { [repeatedField]: { elementType, items } } };
}

/**
 * `/config_dump` shaped like Envoy's (envoy.admin.v3.ConfigDump): bootstrap, clusters, endpoints (with
 * `include_eds`), listeners, routes and secrets, each resource with its `version_info`, `last_updated`
 * and, when its last update was rejected, `error_state`.
 */
export function buildConfigDump(source: ConfigDumpSource, query: ConfigDumpQuery = {}): JsonObject {
  const { store } = source;
  const sections: Section[] = [
    clustersSection(source, query),
    ...(query.includeEds
      ? [
          simpleSection(
            store.endpoints,
            query,
            'EndpointsConfigDump',
            'dynamic_endpoint_configs',
            'EndpointsConfigDump.DynamicEndpointConfig',
            'endpoint_config',
            false,
          ),
        ]
      : []),
    listenersSection(source, query),
    simpleSection(
      store.routes,
      query,
      'RoutesConfigDump',
      'dynamic_route_configs',
      'RoutesConfigDump.DynamicRouteConfig',
      'route_config',
      false,
    ),
    simpleSection(
      store.secrets,
      query,
      'SecretsConfigDump',
      'dynamic_active_secrets',
      'SecretsConfigDump.DynamicSecret',
      'secret',
      true,
    ),
  ];
  if (query.resource) {
    const configs = sections.flatMap((section) => {
      const repeated = section.repeated[query.resource ?? ''];
      return repeated
        ? repeated.items.map((item) => ({ '@type': ADMIN + repeated.elementType, ...item }))
        : [];
    });
    return { configs };
  }
  const bootstrap: JsonObject = {
    '@type': `${ADMIN}BootstrapConfigDump`,
    bootstrap: bootstrapJson(source.bootstrap),
    last_updated: timestamp(source.startedAt),
  };
  const configs = sections.map((section) => {
    const dump: JsonObject = { '@type': ADMIN + section.type };
    for (const [key, value] of Object.entries(section.top)) if (value !== '') dump[key] = value;
    for (const [field, repeated] of Object.entries(section.repeated))
      if (repeated.items.length > 0) dump[field] = [...repeated.items];
    return dump;
  });
  return { configs: [bootstrap, ...configs] };
}
