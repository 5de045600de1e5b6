/** `sotw`: StreamAggregatedResources; `delta`: DeltaAggregatedResources (incremental xDS). */
export type XdsMode = 'sotw' | 'delta';

export interface SimLocality {
  readonly region?: string;
  readonly zone?: string;
  readonly subZone?: string;
}

/** The `node` of Envoy's bootstrap: what the control plane sees on the stream's first request. */
export interface SimNode {
  readonly id: string;
  readonly cluster: string;
  readonly locality: SimLocality;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly userAgentName: string;
  readonly userAgentVersion: string;
  readonly clientFeatures: readonly string[];
}

/** PEM files for TLS to the xDS server; certificate and key together turn on mTLS. */
export interface XdsTlsFiles {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  /** The name checked against the server certificate (Envoy's `sni`); defaults to the host. */
  readonly serverName?: string;
}

/** One xDS server address. */
export interface XdsEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface XdsServerConfig extends XdsEndpoint {
  /**
   * Further servers of the same control plane (Envoy: more `lb_endpoints` in the ADS cluster). A stream
   * that ends is reopened to the next server in turn, as Envoy's cluster picks a host per connection: a
   * replica that shuts down (GOAWAY) hands its proxies to the others.
   */
  readonly alternateEndpoints?: readonly XdsEndpoint[];
  readonly mode: XdsMode;
  readonly tls?: XdsTlsFiles;
  /** `ads_config.set_node_on_first_message_only`: send `node` only on a stream's first request. */
  readonly setNodeOnFirstMessageOnly: boolean;
  /** `ConfigSource.initial_fetch_timeout` (Envoy's default 15 s); 0 waits forever. */
  readonly initialFetchTimeoutMs: number;
}

export interface AdminConfig {
  readonly address: string;
  readonly port: number;
}

export interface SimBootstrap {
  readonly node: SimNode;
  readonly xds: XdsServerConfig;
  /** Absent: no admin HTTP port (a fleet of thousands usually runs without). */
  readonly admin?: AdminConfig;
}

/** Envoy's user agent and the API version the simulator speaks (the pinned Envoy API is 1.30-1.31). */
export const ENVOY_USER_AGENT_NAME = 'envoy';
export const SIMULATED_ENVOY_VERSION = '1.31.0';
export const DEFAULT_XDS_PORT = 18000;
export const DEFAULT_ADMIN_ADDRESS = '127.0.0.1';
export const DEFAULT_INITIAL_FETCH_TIMEOUT_MS = 15_000;

/**
 * What the simulator advertises in `node.client_features`: like Envoy it takes `Resource` wrappers in
 * SotW responses (the xDS protocol's `xds.config.supports-resource-in-sotw`) and ignores EDS
 * overprovisioning factors it does not implement.
 */
export const ENVOY_CLIENT_FEATURES: readonly string[] = [
  'envoy.lb.does_not_support_overprovisioning',
  'envoy.lrs.supports_send_all_clusters',
  'xds.config.supports-resource-in-sotw',
];
