import { type JsonObject, type JsonValue } from '@bufbuild/protobuf';

/** An `Any` that selects an extension: its enclosing `name` (filter name, map key) and its message type. */
export interface ExtensionUse {
  readonly name: string;
  /** The message name without `type.googleapis.com/`, as Envoy prints it. */
  readonly type: string;
  /** HTTP filters marked `is_optional` are skipped by Envoy when it lacks them. */
  readonly optional: boolean;
}

/** One HTTP connection manager of a listener. */
export interface HttpConnectionManagerUse {
  readonly statPrefix: string;
  /** `rds.route_config_name`; absent for an inline `route_config`. */
  readonly rdsName?: string;
  /** The inline route configuration: Envoy validates its clusters against the cluster manager. */
  readonly inlineRoutes?: RouteConfigurationFacts;
  /** `http_filters` in order: name and message type. */
  readonly httpFilters: readonly { readonly name: string; readonly type: string }[];
}

export interface ListenerFacts {
  /** `address` and `additional_addresses` as Envoy prints them: `0.0.0.0:80`, `[::]:80`. */
  readonly addresses: readonly string[];
  /** Network filters of every filter chain, in chain order. */
  readonly filterChains: readonly (readonly { readonly name: string; readonly type: string }[])[];
  readonly connectionManagers: readonly HttpConnectionManagerUse[];
  /** Secrets requested over SDS by the listener's TLS contexts. */
  readonly sdsSecrets: readonly string[];
}

export interface ClusterFacts {
  /** The ClusterLoadAssignment name an EDS cluster requests; absent for other discovery types. */
  readonly edsServiceName?: string;
  readonly sdsSecrets: readonly string[];
}

export interface RouteConfigurationFacts {
  /** `validate_clusters` as written; Envoy defaults it to true inline and false over RDS. */
  readonly validateClusters?: boolean;
  readonly clusters: readonly { readonly name: string; readonly weighted: boolean }[];
  /** Duplicate-domain and wildcard problems found while indexing virtual hosts, in Envoy's words. */
  readonly domainProblems: readonly string[];
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objects(value: JsonValue | undefined): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function messageType(any: JsonValue | undefined): string {
  const typeUrl = isObject(any) ? text(any['@type']) : undefined;
  return typeUrl ? typeUrl.slice(typeUrl.lastIndexOf('/') + 1) : '';
}

const HCM_TYPE = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

/**
 * Every extension the resource selects through an `Any`: `typed_config` beside a `name`, and the maps
 * keyed by extension name (`typed_per_filter_config`, `typed_extension_protocol_options`).
 */
export function extensionUses(json: JsonObject): ExtensionUse[] {
  const uses: ExtensionUse[] = [];
  const visit = (value: JsonValue): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (!isObject(value)) return;
    const typedConfig = value['typed_config'];
    if (isObject(typedConfig) && text(typedConfig['@type'])) {
      uses.push({
        name: text(value['name']) ?? '',
        type: messageType(typedConfig),
        optional: value['is_optional'] === true,
      });
    }
    for (const mapField of ['typed_per_filter_config', 'typed_extension_protocol_options']) {
      const map = value[mapField];
      if (!isObject(map)) continue;
      for (const [name, config] of Object.entries(map)) {
        // A FilterConfig wrapper carries its own is_optional and the real config inside.
        const inner =
          isObject(config) && messageType(config) === 'envoy.config.route.v3.FilterConfig'
            ? config['config']
            : config;
        const optional = isObject(config) && config['is_optional'] === true;
        if (isObject(inner)) uses.push({ name, type: messageType(inner), optional });
      }
    }
    Object.values(value).forEach(visit);
  };
  visit(json);
  return uses;
}

/** Envoy's Address::asString: IPv6 in brackets. Pipes and internal addresses have no port to clash on. */
function addressString(address: JsonValue | undefined): string | undefined {
  const socket = isObject(address) ? address['socket_address'] : undefined;
  if (!isObject(socket)) return undefined;
  const host = text(socket['address']) ?? '';
  const port = typeof socket['port_value'] === 'number' ? socket['port_value'] : 0;
  const protocol = text(socket['protocol']) === 'UDP' ? 'udp://' : '';
  return host.includes(':') ? `${protocol}[${host}]:${port}` : `${protocol}${host}:${port}`;
}

/** SDS secret names in a TLS context (`DownstreamTlsContext`/`UpstreamTlsContext`) whose source is a config source. */
function sdsSecretsOf(tlsContext: JsonValue | undefined): string[] {
  if (!isObject(tlsContext)) return [];
  const common = tlsContext['common_tls_context'];
  if (!isObject(common)) return [];
  const configs = [
    ...objects(common['tls_certificate_sds_secret_configs']),
    common['validation_context_sds_secret_config'],
    isObject(common['combined_validation_context'])
      ? common['combined_validation_context']['validation_context_sds_secret_config']
      : undefined,
    tlsContext['session_ticket_keys_sds_secret_config'],
  ];
  return configs.filter(isObject).flatMap((config) => {
    const name = text(config['name']);
    return name && config['sds_config'] !== undefined ? [name] : [];
  });
}

function transportSocketSecrets(owner: JsonObject): string[] {
  const socket = owner['transport_socket'];
  return isObject(socket) ? sdsSecretsOf(socket['typed_config']) : [];
}

export function routeConfigurationFacts(json: JsonObject): RouteConfigurationFacts {
  const clusters: { name: string; weighted: boolean }[] = [];
  const domainProblems: string[] = [];
  const seenDomains = new Set<string>();
  let wildcardSeen = false;
  const routeName = text(json['name']) ?? '';
  for (const virtualHost of objects(json['virtual_hosts'])) {
    for (const rawDomain of Array.isArray(virtualHost['domains']) ? virtualHost['domains'] : []) {
      if (typeof rawDomain !== 'string') continue;
      const domain = rawDomain.toLowerCase();
      if (domain === '*') {
        if (wildcardSeen)
          domainProblems.push(`Only a single wildcard domain is permitted in route ${routeName}`);
        wildcardSeen = true;
      } else if (seenDomains.has(domain)) {
        domainProblems.push(
          `Only unique values for domains are permitted. Duplicate entry of domain ${domain} in route ${routeName}`,
        );
      }
      seenDomains.add(domain);
    }
    for (const route of objects(virtualHost['routes'])) {
      const action = route['route'];
      if (!isObject(action)) continue;
      const cluster = text(action['cluster']);
      if (cluster) clusters.push({ name: cluster, weighted: false });
      const weighted = action['weighted_clusters'];
      if (isObject(weighted)) {
        for (const entry of objects(weighted['clusters'])) {
          const name = text(entry['name']);
          if (name) clusters.push({ name, weighted: true });
        }
      }
    }
  }
  const validate = json['validate_clusters'];
  return { validateClusters: typeof validate === 'boolean' ? validate : undefined, clusters, domainProblems };
}

function connectionManagerOf(config: JsonObject): HttpConnectionManagerUse {
  const rds = config['rds'];
  const inline = config['route_config'];
  return {
    statPrefix: text(config['stat_prefix']) ?? '',
    rdsName: isObject(rds) ? text(rds['route_config_name']) : undefined,
    inlineRoutes: isObject(inline) ? routeConfigurationFacts(inline) : undefined,
    httpFilters: objects(config['http_filters']).map((filter) => ({
      name: text(filter['name']) ?? '',
      type: messageType(filter['typed_config']),
    })),
  };
}

export function listenerFacts(json: JsonObject): ListenerFacts {
  const chains = [...objects(json['filter_chains']), ...[json['default_filter_chain']].filter(isObject)];
  const addresses = [
    json['address'],
    ...objects(json['additional_addresses']).map((extra) => extra['address']),
  ]
    .map(addressString)
    .filter((address): address is string => address !== undefined);
  const connectionManagers: HttpConnectionManagerUse[] = [];
  const filterChains = chains.map((chain) =>
    objects(chain['filters']).map((filter) => {
      const type = messageType(filter['typed_config']);
      const typedConfig = filter['typed_config'];
      if (type === HCM_TYPE && isObject(typedConfig))
        connectionManagers.push(connectionManagerOf(typedConfig));
      return { name: text(filter['name']) ?? '', type };
    }),
  );
  const apiListener = isObject(json['api_listener']) ? json['api_listener']['api_listener'] : undefined;
  if (isObject(apiListener) && messageType(apiListener) === HCM_TYPE) {
    connectionManagers.push(connectionManagerOf(apiListener));
  }
  return {
    addresses,
    filterChains,
    connectionManagers,
    sdsSecrets: [...new Set(chains.flatMap(transportSocketSecrets))],
  };
}

export function clusterFacts(json: JsonObject): ClusterFacts {
  const name = text(json['name']) ?? '';
  const edsConfig = json['eds_cluster_config'];
  const serviceName = isObject(edsConfig) ? text(edsConfig['service_name']) : undefined;
  const secrets = [
    ...transportSocketSecrets(json),
    ...objects(json['transport_socket_matches']).flatMap(transportSocketSecrets),
  ];
  return {
    edsServiceName: json['type'] === 'EDS' ? serviceName || name : undefined,
    sdsSecrets: [...new Set(secrets)],
  };
}
