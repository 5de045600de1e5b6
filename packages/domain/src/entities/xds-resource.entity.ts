import { type JsonObject } from '../values/json.value';
import { type Labels } from '../values/labels.value';

/** The Envoy resources a config holds; each is stored in its own table. */
export const XDS_RESOURCE_TYPES = ['listener', 'route_config', 'cluster', 'endpoint', 'secret'] as const;
export type XdsResourceType = (typeof XDS_RESOURCE_TYPES)[number];

/** Envoy's view of one resource type on one proxy, from the last ACK/NACK the xds-server saw. */
export const XDS_SYNC_STATUSES = ['SYNCED', 'STALE', 'NACKED', 'NOT_SENT'] as const;
export type XdsSyncStatus = (typeof XDS_SYNC_STATUSES)[number];

/**
 * One Envoy v3 resource in a config's working set: a Listener, RouteConfiguration, Cluster,
 * ClusterLoadAssignment (`endpoint`, named after its cluster) or Secret. `body` is the resource in
 * canonical proto3 JSON, so every Envoy feature is reachable; its `name` field equals `name`.
 */
export interface XdsResource {
  readonly id: string;
  readonly tenantId: string;
  readonly configId: string;
  readonly type: XdsResourceType;
  readonly name: string;
  readonly labels: Labels;
  readonly body: JsonObject;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function isXdsResourceType(value: string): value is XdsResourceType {
  return (XDS_RESOURCE_TYPES as readonly string[]).includes(value);
}
