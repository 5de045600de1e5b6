import { type XdsResourceType, type XdsSyncStatus } from '@envoy-fleet/domain';
import { kindOf, type ResourceKind, typeUrlOf } from '@envoy-fleet/xds';

const KIND_OF_RESOURCE_TYPE: { readonly [T in XdsResourceType]: ResourceKind } = {
  listener: 'listener',
  route_config: 'route',
  cluster: 'cluster',
  endpoint: 'endpoint',
  secret: 'secret',
};

const RESOURCE_TYPE_OF_KIND: ReadonlyMap<ResourceKind, XdsResourceType> = new Map(
  Object.entries(KIND_OF_RESOURCE_TYPE).map(([type, kind]) => [kind, type as XdsResourceType]),
);

/** The type URL a resource type travels under. */
export function typeUrlOfResourceType(type: XdsResourceType): string {
  return typeUrlOf(KIND_OF_RESOURCE_TYPE[type]);
}

/** The `proxies` column holding each type's sync status. */
export const SYNC_STATUS_COLUMNS: { readonly [T in XdsResourceType]: string } = {
  listener: 'listener_sync_status',
  route_config: 'route_config_sync_status',
  cluster: 'cluster_sync_status',
  endpoint: 'endpoint_sync_status',
  secret: 'secret_sync_status',
};

/** The resource type a type URL carries, or undefined for types a config does not hold (VHDS, RTDS...). */
export function resourceTypeOf(typeUrl: string): XdsResourceType | undefined {
  const kind = kindOf(typeUrl);
  return kind === undefined ? undefined : RESOURCE_TYPE_OF_KIND.get(kind);
}

/**
 * A type's status after Envoy ACKed `ackedVersion`, as `istioctl proxy-status` says it: SYNCED when that
 * is the version the proxy's snapshot holds now (or when the snapshot is unknown), STALE when the
 * snapshot has moved on and the newer version is not ACKed yet.
 */
export function statusAfterAck(ackedVersion: string, servedVersion: string | undefined): XdsSyncStatus {
  return servedVersion === undefined || servedVersion === ackedVersion ? 'SYNCED' : 'STALE';
}

const SNAPSHOT_OF_VERSION =
  /^t:[^:]+:version:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?::port:\d+)?$/;

/**
 * The config version a serving key's snapshot was built from: fleet-manager names the snapshot of a
 * stored config version `t:<tenant>:version:<config version id>` (snapshot-builder), with `:port:<port>`
 * when its listeners are bound to the proxy's allocated port (listener-ports). Snapshots rendered from a
 * template or inherited with overrides come from no single version: undefined.
 */
export function configVersionOfServingKey(servingKey: string): string | undefined {
  return SNAPSHOT_OF_VERSION.exec(servingKey)?.[1];
}
