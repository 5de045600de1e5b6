import { Injectable } from '@nestjs/common';
import { DomainError } from '@envoy-fleet/domain';
import type { ControlPlaneServiceServer, ProxyGroup } from '@envoy-fleet/proto/management';
import type { Principal } from '../auth/principal';
import { parseRequest } from '../http/zod-request';
import { PROXY_LIST } from '../modules/proxies/proxy.dto';
import { ProxyService } from '../modules/proxies/proxy.service';
import {
  PROXY_GROUP_LIST,
  type ProxyGroupView,
  type ProxyGroupWrite,
  proxyGroupScaleSchema,
  proxyGroupWriteOf,
  proxyGroupWriteSchema,
} from '../modules/proxy-groups/proxy-group.dto';
import { ProxyGroupService } from '../modules/proxy-groups/proxy-group.service';
import { GrpcEdge } from './grpc-edge';
import {
  etagOf,
  expectedVersion,
  fieldPaths,
  inRequestTerms,
  invalidField,
  listQueryOf,
  maskedUpdate,
  nextPageToken,
  required,
  timestampOf,
  uuidOf,
} from './grpc-request';

const GROUP_PATHS = fieldPaths('group');

/** Proto field → the writable fields of the REST representation it sets (replicas change by scaling). */
const WRITABLE: Readonly<Record<string, readonly (keyof ProxyGroupWrite)[]>> = {
  name: ['name'],
  parent_id: ['parentId'],
  description: ['description'],
  labels: ['labels'],
  image: ['image'],
};

export function proxyGroupMessage(view: ProxyGroupView): ProxyGroup {
  return {
    id: view.id,
    name: view.name,
    parentId: view.parentId ?? '',
    description: view.description,
    labels: view.labels,
    desiredReplicas: view.desiredReplicas ?? 0,
    image: view.image ?? '',
    resourceLimits: undefined,
    createTime: timestampOf(view.createdAt),
    updateTime: timestampOf(view.updatedAt),
    etag: etagOf(view.version),
  };
}

/**
 * A group message as the REST representation writes it, validated by the same schema. A group's
 * resource limits are not stored (each proxy has its own), so setting them is refused; an empty image
 * means none (new proxies then need their own).
 * `desired_replicas` is taken on create (0: not scaled by the fleet manager) and kept on update.
 */
function groupWrite(group: ProxyGroup, base: ProxyGroupWrite | undefined): ProxyGroupWrite {
  if (group.resourceLimits !== undefined) {
    throw invalidField('resourceLimits', "are not stored for a group: set each proxy's resource limits");
  }
  return parseRequest(
    proxyGroupWriteSchema,
    {
      ...base,
      name: group.name,
      parentId: group.parentId === '' ? null : group.parentId,
      description: group.description,
      labels: group.labels,
      image: group.image === '' ? null : group.image,
      desiredReplicas: base === undefined ? group.desiredReplicas || null : base.desiredReplicas,
    },
    'body',
  );
}

type ProxyGroupHandlers = Pick<
  ControlPlaneServiceServer,
  | 'createProxyGroup'
  | 'getProxyGroup'
  | 'listProxyGroups'
  | 'updateProxyGroup'
  | 'deleteProxyGroup'
  | 'scaleProxyGroup'
>;

/** The proxy group RPCs over ProxyGroupService (and ProxyService for a forced delete). */
@Injectable()
export class ProxyGroupGrpcHandlers {
  constructor(
    private readonly edge: GrpcEdge,
    private readonly groups: ProxyGroupService,
    private readonly proxies: ProxyService,
  ) {}

  handlers(): ProxyGroupHandlers {
    const { edge, groups } = this;
    return {
      createProxyGroup: edge.unary({ role: 'operator' }, async (principal, request) => {
        const group = required(request.group, 'group');
        const view = await inRequestTerms(GROUP_PATHS, () =>
          groups.create(principal, groupWrite(group, undefined)),
        );
        return { group: proxyGroupMessage(view) };
      }),
      getProxyGroup: edge.unary({ role: 'viewer' }, async (principal, request) => ({
        group: proxyGroupMessage(await groups.get(principal, uuidOf(request.id, 'id'))),
      })),
      listProxyGroups: edge.unary({ role: 'viewer' }, async (principal, request) => {
        const query = await listQueryOf(PROXY_GROUP_LIST, request, {
          parentId: { field: 'parent_id', value: request.parentId },
        });
        const page = await groups.list(principal, query);
        return { groups: page.items.map(proxyGroupMessage), nextPageToken: nextPageToken(page.nextCursor) };
      }),
      updateProxyGroup: edge.unary({ role: 'operator' }, async (principal, request) => {
        const group = required(request.group, 'group');
        const id = uuidOf(group.id, 'group.id');
        const view = await maskedUpdate({
          etag: request.etag,
          updateMask: request.updateMask,
          writable: WRITABLE,
          fieldPathOf: GROUP_PATHS,
          read: () => groups.get(principal, id),
          writeOf: proxyGroupWriteOf,
          desired: (base) => groupWrite(group, base),
          replace: (version, write) => groups.replace(principal, id, version, write),
        });
        return { group: proxyGroupMessage(view) };
      }),
      scaleProxyGroup: edge.unary({ role: 'operator' }, async (principal, request) => {
        const id = uuidOf(request.id, 'id');
        if (request.etag !== '') {
          const current = await groups.get(principal, id);
          const expected = await expectedVersion(request.etag, () => Promise.resolve(current));
          if (expected !== current.version) throw DomainError.staleVersion('proxy group', id, expected);
        }
        const scale = await inRequestTerms(fieldPaths('', { replicas: 'replicas' }), () =>
          parseRequest(proxyGroupScaleSchema, { replicas: request.replicas }, 'body'),
        );
        return { group: proxyGroupMessage(await groups.scale(principal, id, scale)) };
      }),
      deleteProxyGroup: edge.unary({ role: 'operator' }, async (principal, request) => {
        const id = uuidOf(request.id, 'id');
        const version = await expectedVersion(request.etag, () => groups.get(principal, id));
        if (request.force) await this.deleteProxiesOf(principal, id);
        await groups.delete(principal, id, version);
        return {};
      }),
    };
  }

  /** Without `force`, a group with proxies is refused by the database (FAILED_PRECONDITION). */
  private async deleteProxiesOf(principal: Principal, groupId: string): Promise<void> {
    for (;;) {
      const page = await this.proxies.list(
        principal,
        await listQueryOf(
          PROXY_LIST,
          { pageSize: 500, pageToken: '' },
          { groupId: { field: 'id', value: groupId } },
        ),
      );
      if (page.items.length === 0) return;
      for (const proxy of page.items) await this.proxies.delete(principal, proxy.nodeId, proxy.version);
    }
  }
}
