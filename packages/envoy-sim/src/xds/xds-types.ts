/**
 * The five resource types an Envoy subscribes to over ADS, in the order Envoy first requests them.
 * Literal types, so switches over them are checked for exhaustiveness; a spec checks they are the
 * codec's `TYPE_URLS`.
 */
export const CLUSTER_TYPE = 'type.googleapis.com/envoy.config.cluster.v3.Cluster';
export const ENDPOINT_TYPE = 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment';
export const LISTENER_TYPE = 'type.googleapis.com/envoy.config.listener.v3.Listener';
export const ROUTE_TYPE = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
export const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

export type XdsTypeUrl =
  typeof CLUSTER_TYPE | typeof ENDPOINT_TYPE | typeof LISTENER_TYPE | typeof ROUTE_TYPE | typeof SECRET_TYPE;

export const XDS_TYPES: readonly XdsTypeUrl[] = [
  CLUSTER_TYPE,
  ENDPOINT_TYPE,
  LISTENER_TYPE,
  ROUTE_TYPE,
  SECRET_TYPE,
];

/** LDS and CDS are wildcard subscriptions; the others are requested by name. */
export function isWildcardType(typeUrl: XdsTypeUrl): boolean {
  return typeUrl === LISTENER_TYPE || typeUrl === CLUSTER_TYPE;
}

export function isXdsType(typeUrl: string): typeUrl is XdsTypeUrl {
  return (XDS_TYPES as readonly string[]).includes(typeUrl);
}

/** The short names used in logs and CLI flags. */
export const TYPE_SHORT_NAMES: { readonly [T in XdsTypeUrl]: string } = {
  [CLUSTER_TYPE]: 'cds',
  [ENDPOINT_TYPE]: 'eds',
  [LISTENER_TYPE]: 'lds',
  [ROUTE_TYPE]: 'rds',
  [SECRET_TYPE]: 'sds',
};

/** Accepts `lds`, `listener` or a full type URL. */
export function parseXdsType(value: string): XdsTypeUrl {
  const lowered = value.toLowerCase();
  for (const typeUrl of XDS_TYPES) {
    if (typeUrl === value || TYPE_SHORT_NAMES[typeUrl] === lowered) return typeUrl;
  }
  const byKind: Record<string, XdsTypeUrl> = {
    cluster: CLUSTER_TYPE,
    endpoint: ENDPOINT_TYPE,
    listener: LISTENER_TYPE,
    route: ROUTE_TYPE,
    secret: SECRET_TYPE,
  };
  const found = byKind[lowered];
  if (!found) {
    throw new Error(`unknown xDS type "${value}": use lds, rds, cds, eds, sds or a type URL`);
  }
  return found;
}
