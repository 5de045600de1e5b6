import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  chooseBinding,
  createEvent,
  type ConfigDocument,
  DomainError,
  groupAncestors,
  portRangeContains,
  validateLabels,
  type ValidationIssue,
} from '@envoy-fleet/domain';
import {
  appendEvents,
  ConfigBindingEntity,
  NodeEntity,
  ProxyEntity,
  ProxyGroupEntity,
  updateVersioned,
} from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { findConfigWithLatestVersion, findProxy, findProxyByIdOrNodeId } from '../../database/lookups';
import { assertWithinQuota } from '../../database/tenant-quota';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import {
  PROXY_LIST,
  proxyColumns,
  type ProxyCreate,
  type ProxyView,
  proxyView,
  type ProxyWrite,
  proxyWriteOf,
  proxyWriteSchema,
  type ServedConfigView,
} from './proxy.dto';
import { maskedProxyConfig } from '../configs/config.dto';

type Change = 'created' | 'updated' | 'deleted';

/** Envoy instances, addressed by their node id [seed 000 4.1.1]. */
@Injectable()
export class ProxyService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  async list(principal: Principal, query: ListQuery): Promise<Page<ProxyView>> {
    const page = await listPage(
      this.unitOfWork.selectBuilder(principal, ProxyEntity, 'proxy'),
      PROXY_LIST,
      query,
      (builder) => this.unitOfWork.select(principal, builder),
    );
    return { items: page.items.map(proxyView), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, nodeId: string): Promise<ProxyView> {
    const builder = this.unitOfWork
      .selectBuilder(principal, ProxyEntity, 'proxy')
      .where('proxy.node_id = :nodeId', { nodeId });
    const [proxy] = await this.unitOfWork.select(principal, builder);
    if (proxy === undefined) throw DomainError.notFound('proxy', nodeId);
    return proxyView(proxy);
  }

  /** The proxy with this id or, failing that, this Envoy node id (the gRPC API names proxies either way). */
  find(principal: Principal, idOrNodeId: string): Promise<ProxyView> {
    return this.unitOfWork.forTenant(principal, async (manager) =>
      proxyView(await findProxyByIdOrNodeId(manager, idOrNodeId)),
    );
  }

  /**
   * The newest version of the config the proxy's bindings select, read from the database. What the
   * xds-server actually serves comes from fleet-manager's snapshots, which also render templates.
   */
  servedConfig(principal: Principal, nodeId: string): Promise<ServedConfigView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const served = await servedConfigOf(manager, await findProxy(manager, nodeId));
      if (served === undefined) {
        throw new DomainError(
          'NOT_FOUND',
          `no config is bound to proxy ${nodeId} by instance, group or label selector`,
          { details: { entity: 'served config', id: nodeId } },
        );
      }
      return served;
    });
  }

  create(principal: Principal, create: ProxyCreate): Promise<ProxyView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await assertPlacement(manager, create);
      const proxy = await manager.save(
        manager.create(ProxyEntity, {
          ...proxyColumns(create),
          nodeId: create.nodeId,
          tenantId: principal.tenantId,
        }),
      );
      await appendEvents(manager, [changed(principal, proxy, 'created')]);
      await assertWithinQuota(manager, principal.tenantId, 'maxProxies');
      return proxyView(proxy);
    });
  }

  replace(
    principal: Principal,
    nodeId: string,
    expectedVersion: number,
    write: ProxyWrite,
  ): Promise<ProxyView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const current = await findProxy(manager, nodeId);
      await assertPlacement(manager, write);
      const proxy = await updateVersioned(
        manager,
        ProxyEntity,
        current.id,
        expectedVersion,
        proxyColumns(write),
      );
      await appendEvents(manager, [changed(principal, proxy, 'updated')]);
      return proxyView(proxy);
    });
  }

  async patch(
    principal: Principal,
    nodeId: string,
    expectedVersion: number,
    patch: unknown,
  ): Promise<ProxyView> {
    const current = await this.get(principal, nodeId);
    const merged = mergePatchObject(proxyWriteOf(current), patch);
    return this.replace(principal, nodeId, expectedVersion, parseRequest(proxyWriteSchema, merged, 'body'));
  }

  delete(principal: Principal, nodeId: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const proxy = await findProxy(manager, nodeId);
      await deleteVersioned(manager, ProxyEntity, proxy.id, expectedVersion);
      await appendEvents(manager, [changed(principal, proxy, 'deleted')]);
    });
  }
}

/** What `servedConfig` answers for a proxy already read; undefined when no config is bound to it. */
export async function servedConfigOf(
  manager: EntityManager,
  proxy: ProxyEntity,
): Promise<ServedConfigView | undefined> {
  const groups = await manager.find(ProxyGroupEntity, { select: { id: true, parentId: true } });
  const parentOf = new Map(groups.map((group) => [group.id, group.parentId]));
  const bindings = await manager.findBy(ConfigBindingEntity, {});
  const chosen = chooseBinding(
    {
      proxyId: proxy.id,
      labels: proxy.labels,
      groups: [proxy.groupId, ...groupAncestors(proxy.groupId, parentOf)],
    },
    bindings,
  );
  if (
    chosen === undefined ||
    chosen.configId === null ||
    chosen.mode === 'template' ||
    chosen.mode === 'inherit'
  ) {
    return undefined;
  }
  const { config, version } = await findConfigWithLatestVersion(manager, chosen.configId);
  return {
    nodeId: proxy.nodeId,
    binding: { id: chosen.id, mode: chosen.mode },
    config: { id: config.id, name: config.name },
    version: { number: version.number, contentHash: version.contentHash },
    document: maskedProxyConfig(config, version.document as ConfigDocument),
  };
}

/** The group exists; on a VM, the ports come from the VM's ranges (their uniqueness is the database's). */
async function assertPlacement(manager: EntityManager, write: ProxyWrite): Promise<void> {
  const issues: ValidationIssue[] = [...validateLabels(write.labels)];
  if (write.proxyPort === write.adminPort)
    issues.push({ path: 'adminPort', message: 'must differ from proxyPort' });
  if ((await manager.findOneBy(ProxyGroupEntity, { id: write.groupId })) === null) {
    issues.push({ path: 'groupId', message: 'refers to a proxy group that does not exist' });
  }
  if (write.vmId !== null) {
    const node = await manager.findOneBy(NodeEntity, { id: write.vmId });
    if (node === null) {
      issues.push({ path: 'vmId', message: 'refers to a node that does not exist' });
    } else {
      const proxyRange = { start: node.proxyPortRangeStart, end: node.proxyPortRangeEnd };
      const adminRange = { start: node.adminPortRangeStart, end: node.adminPortRangeEnd };
      if (!portRangeContains(proxyRange, write.proxyPort)) {
        issues.push({
          path: 'proxyPort',
          message: `must be in the node's proxy port range ${proxyRange.start}-${proxyRange.end}`,
        });
      }
      if (!portRangeContains(adminRange, write.adminPort)) {
        issues.push({
          path: 'adminPort',
          message: `must be in the node's admin port range ${adminRange.start}-${adminRange.end}`,
        });
      }
    }
  }
  DomainError.assertValid('proxy', issues);
}

function changed(principal: Principal, proxy: ProxyEntity, change: Change) {
  return createEvent('proxy.changed', {
    id: randomUUID(),
    tenantId: principal.tenantId,
    aggregateId: proxy.id,
    payload: { proxyId: proxy.id, nodeId: proxy.nodeId, change },
  });
}
