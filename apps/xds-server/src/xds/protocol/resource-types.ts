import { TYPE_URLS } from '@envoy-fleet/xds';

/**
 * What the protocol needs to know about each resource type: the order ADS writes them in, which ones
 * know wildcard subscriptions, and which ones refer to which (for make-before-break on removal).
 */

/** ADS write order (XP "Eventual consistency considerations"): secrets before the listeners and clusters
 *  that use them, then CDS, EDS, LDS, RDS, VHDS; types the product does not know come last, by name. */
const ADS_ORDER: readonly string[] = [
  TYPE_URLS.secret,
  TYPE_URLS.cluster,
  TYPE_URLS.endpoint,
  TYPE_URLS.listener,
  TYPE_URLS.scoped_route,
  TYPE_URLS.route,
  TYPE_URLS.virtual_host,
  TYPE_URLS.runtime,
];

export function compareAdsOrder(a: string, b: string): number {
  const rankA = rankOf(a);
  const rankB = rankOf(b);
  return rankA === rankB ? a.localeCompare(b) : rankA - rankB;
}

function rankOf(typeUrl: string): number {
  const rank = ADS_ORDER.indexOf(typeUrl);
  return rank === -1 ? ADS_ORDER.length : rank;
}

/**
 * Types where an empty subscription (SotW: empty `resource_names` on every request so far; delta: an
 * empty first request) means "everything for this node": Listener and Cluster (XP), and scoped routes,
 * which Envoy also fetches by wildcard. For every other type an empty subscription means nothing; `*`
 * is honoured for any type as an explicit request for all of it.
 */
const LEGACY_WILDCARD_TYPES: ReadonlySet<string> = new Set([
  TYPE_URLS.listener,
  TYPE_URLS.cluster,
  TYPE_URLS.scoped_route,
]);

export function hasLegacyWildcard(typeUrl: string): boolean {
  return LEGACY_WILDCARD_TYPES.has(typeUrl);
}

/** SotW types whose responses carry the complete set, so that an omitted resource means deleted (XP). */
export function isFullStateInSotw(typeUrl: string): boolean {
  return LEGACY_WILDCARD_TYPES.has(typeUrl);
}

export const WILDCARD = '*';

/**
 * The types whose resources may refer to a resource of the key type. A resource leaves the client only
 * after every referring type is in sync and ACKed, so nothing the client holds points at a missing one.
 */
const REFERRERS: Readonly<Record<string, readonly string[]>> = {
  [TYPE_URLS.cluster]: [TYPE_URLS.listener, TYPE_URLS.route, TYPE_URLS.virtual_host],
  [TYPE_URLS.endpoint]: [TYPE_URLS.cluster],
  [TYPE_URLS.route]: [TYPE_URLS.listener, TYPE_URLS.scoped_route],
  [TYPE_URLS.virtual_host]: [TYPE_URLS.route],
  [TYPE_URLS.secret]: [TYPE_URLS.listener, TYPE_URLS.cluster],
};

export function referrersOf(typeUrl: string): readonly string[] {
  return REFERRERS[typeUrl] ?? [];
}

/**
 * The types a client subscribes to by names that resources of the key type carry: Envoy asks for a new
 * cluster's assignment, a new listener's route configuration, a route configuration's virtual hosts while
 * it processes the parent, and keeps the parent warming until they arrive (consul#15083: a control plane
 * that waits for the parent's ACK before sending them stalls that warming).
 */
const CHILDREN: Readonly<Record<string, readonly string[]>> = {
  [TYPE_URLS.cluster]: [TYPE_URLS.endpoint],
  [TYPE_URLS.listener]: [TYPE_URLS.scoped_route, TYPE_URLS.route],
  [TYPE_URLS.scoped_route]: [TYPE_URLS.route],
  [TYPE_URLS.route]: [TYPE_URLS.virtual_host],
};

/**
 * Whether `typeUrl` may be written while a response of the earlier type `parent` that gave the client
 * new resources awaits its ACK. Only the parent's children may: the client has not yet asked for what the
 * new resources need (a new cluster's endpoints, say), and what comes later in ADS order (routes to that
 * cluster) must not arrive before it (XP "Eventual consistency considerations").
 */
export function mayPrecedeAckOf(parent: string, typeUrl: string): boolean {
  return CHILDREN[parent]?.includes(typeUrl) ?? false;
}

export const CLUSTER_TYPE = TYPE_URLS.cluster;
export const ENDPOINT_TYPE = TYPE_URLS.endpoint;
