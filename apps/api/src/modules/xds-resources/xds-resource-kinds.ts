import type { XdsResourceType } from '@envoy-fleet/domain';
import {
  ClusterEntity,
  EndpointEntity,
  ListenerEntity,
  RouteConfigEntity,
  SecretEntity,
} from '@envoy-fleet/db';
import type { ResourceKind } from '@envoy-fleet/xds';
import { type SpecSection } from '../configs/proxy-config';

/** One first-class xDS resource collection of the REST API and where its resources live. */
export interface XdsResourceKind {
  readonly type: XdsResourceType;
  /** The codec's name for the Envoy message. */
  readonly codecKind: ResourceKind;
  /** The collection's path under `/api/v1`. */
  readonly path: string;
  /** The ProxyConfig section holding them. */
  readonly section: SpecSection;
  /** The working-set table: the resources of each config's newest version. */
  readonly entity:
    | typeof ListenerEntity
    | typeof RouteConfigEntity
    | typeof ClusterEntity
    | typeof EndpointEntity
    | typeof SecretEntity;
  /** The Envoy message, for documentation and messages. */
  readonly message: string;
  /** The proto-JSON field that names the resource. */
  readonly nameField: 'name' | 'cluster_name';
}

/**
 * `/api/v1/endpoints` is the service-discovery view of seed 001 6.1.3, so ClusterLoadAssignments are
 * served at `/api/v1/cluster-load-assignments`.
 */
export const XDS_RESOURCE_KINDS: readonly XdsResourceKind[] = [
  {
    type: 'listener',
    codecKind: 'listener',
    path: 'listeners',
    section: 'listeners',
    entity: ListenerEntity,
    message: 'envoy.config.listener.v3.Listener',
    nameField: 'name',
  },
  {
    type: 'route_config',
    codecKind: 'route',
    path: 'route-configs',
    section: 'routes',
    entity: RouteConfigEntity,
    message: 'envoy.config.route.v3.RouteConfiguration',
    nameField: 'name',
  },
  {
    type: 'cluster',
    codecKind: 'cluster',
    path: 'clusters',
    section: 'clusters',
    entity: ClusterEntity,
    message: 'envoy.config.cluster.v3.Cluster',
    nameField: 'name',
  },
  {
    type: 'endpoint',
    codecKind: 'endpoint',
    path: 'cluster-load-assignments',
    section: 'endpoints',
    entity: EndpointEntity,
    message: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
    nameField: 'cluster_name',
  },
  {
    type: 'secret',
    codecKind: 'secret',
    path: 'secrets',
    section: 'secrets',
    entity: SecretEntity,
    message: 'envoy.extensions.transport_sockets.tls.v3.Secret',
    nameField: 'name',
  },
];

export function xdsResourceKind(type: XdsResourceType): XdsResourceKind {
  const kind = XDS_RESOURCE_KINDS.find((each) => each.type === type);
  if (kind === undefined) throw new Error(`no REST collection serves ${type} resources`);
  return kind;
}
