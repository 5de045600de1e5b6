import { Injectable } from '@nestjs/common';
import type { JsonObject, XdsResourceType as XdsResourceTypeName } from '@envoy-fleet/domain';
import {
  type ControlPlaneServiceServer,
  type XdsResource,
  type XdsResourceChange,
  XdsResourceType,
} from '@envoy-fleet/proto/management';
import type { XdsResourceChangeView, XdsResourceView } from '../modules/xds-resources/xds-resource.dto';
import { XDS_RESOURCE_LIST } from '../modules/xds-resources/xds-resource.dto';
import { type XdsResourceKind, xdsResourceKind } from '../modules/xds-resources/xds-resource-kinds';
import { XdsResourceService } from '../modules/xds-resources/xds-resource.service';
import { GrpcEdge } from './grpc-edge';
import {
  etagOf,
  expectedVersion,
  invalidField,
  listQueryOf,
  nextPageToken,
  required,
  timestampOf,
  uuidOf,
} from './grpc-request';
import { nameOf } from './proxy-messages';

const TYPES: Readonly<Record<XdsResourceTypeName, XdsResourceType>> = {
  listener: XdsResourceType.XDS_RESOURCE_TYPE_LISTENER,
  route_config: XdsResourceType.XDS_RESOURCE_TYPE_ROUTE_CONFIG,
  cluster: XdsResourceType.XDS_RESOURCE_TYPE_CLUSTER,
  endpoint: XdsResourceType.XDS_RESOURCE_TYPE_CLUSTER_LOAD_ASSIGNMENT,
  secret: XdsResourceType.XDS_RESOURCE_TYPE_SECRET,
};

function kindOf(type: XdsResourceType): XdsResourceKind {
  if (type === XdsResourceType.XDS_RESOURCE_TYPE_UNSPECIFIED) throw invalidField('type', 'is required');
  return xdsResourceKind(nameOf(TYPES, type, 'type'));
}

function nameField(name: string): string {
  if (name === '') throw invalidField('name', 'is required');
  return name;
}

function resourceMessage(kind: XdsResourceKind, view: XdsResourceView): XdsResource {
  return {
    configId: view.configId,
    type: TYPES[kind.type],
    name: view.name,
    resource: view.resource,
    configName: view.configName,
    configLabels: view.configLabels,
    configVersion: view.configVersion,
    updateTime: timestampOf(view.updatedAt),
    etag: etagOf(view.version),
  };
}

function changeMessage(change: XdsResourceChangeView['change']): XdsResourceChange {
  return { fromVersion: change.fromVersion ?? 0, toVersion: change.toVersion };
}

type XdsResourceHandlers = Pick<
  ControlPlaneServiceServer,
  'createXdsResource' | 'getXdsResource' | 'listXdsResources' | 'updateXdsResource' | 'deleteXdsResource'
>;

/**
 * The xDS resource RPCs over XdsResourceService, the service of `/api/v1/{listeners,...}`: every write
 * makes a new version of the resource's config; validation issues about the resource are at
 * `resource.<path>`, others at their path in the config (`spec.routes[0]...`).
 */
@Injectable()
export class XdsResourceGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly resources: XdsResourceService,
  ) {}

  handlers(): XdsResourceHandlers {
    const { edge, resources } = this;
    return {
      createXdsResource: edge.unary({ role: 'operator' }, async (principal, request) => {
        const kind = kindOf(request.type);
        const created = await resources.create(
          principal,
          kind,
          uuidOf(request.configId, 'config_id'),
          required<JsonObject>(request.resource, 'resource'),
          request.message,
        );
        return { resource: resourceMessage(kind, created), change: changeMessage(created.change) };
      }),
      getXdsResource: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const kind = kindOf(request.type);
        const view = await resources.get(
          principal,
          kind,
          uuidOf(request.configId, 'config_id'),
          nameField(request.name),
        );
        return { resource: resourceMessage(kind, view) };
      }),
      listXdsResources: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const kind = kindOf(request.type);
        const query = await listQueryOf(XDS_RESOURCE_LIST, request, {
          config: { field: 'config_id', value: request.configId },
          name: { field: 'name', value: request.name },
        });
        const page = await resources.list(principal, kind, query);
        return {
          resources: page.items.map((view) => resourceMessage(kind, view)),
          nextPageToken: nextPageToken(page.nextCursor),
        };
      }),
      updateXdsResource: edge.unary({ role: 'operator' }, async (principal, request) => {
        const kind = kindOf(request.type);
        const configId = uuidOf(request.configId, 'config_id');
        const name = nameField(request.name);
        const resource = required<JsonObject>(request.resource, 'resource');
        const version = await expectedVersion(request.etag, () =>
          resources.get(principal, kind, configId, name),
        );
        const updated = await resources.replace(
          principal,
          kind,
          configId,
          name,
          version,
          resource,
          request.message,
        );
        return { resource: resourceMessage(kind, updated), change: changeMessage(updated.change) };
      }),
      deleteXdsResource: edge.unary({ role: 'operator' }, async (principal, request) => {
        const kind = kindOf(request.type);
        const configId = uuidOf(request.configId, 'config_id');
        const name = nameField(request.name);
        const version = await expectedVersion(request.etag, () =>
          resources.get(principal, kind, configId, name),
        );
        const removed = await resources.remove(principal, kind, configId, name, version, request.message);
        return { change: changeMessage(removed.change), etag: etagOf(removed.version) };
      }),
    };
  }
}
