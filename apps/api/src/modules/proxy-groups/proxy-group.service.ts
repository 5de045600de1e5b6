import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createEvent, DomainError, validateLabels, wouldCreateGroupCycle } from '@envoy-fleet/domain';
import { appendEvents, ProxyGroupEntity, updateVersioned } from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { assertWithinQuota } from '../../database/tenant-quota';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import {
  PROXY_GROUP_LIST,
  type ProxyGroupView,
  proxyGroupView,
  type ProxyGroupWrite,
  proxyGroupWriteOf,
  proxyGroupWriteSchema,
  type ProxyGroupScale,
} from './proxy-group.dto';

type Change = 'created' | 'updated' | 'deleted';

/** Proxy groups, nested through `parentId`; a parent that would make a group its own ancestor is refused. */
@Injectable()
export class ProxyGroupService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  async list(principal: Principal, query: ListQuery): Promise<Page<ProxyGroupView>> {
    const page = await listPage(
      this.unitOfWork.selectBuilder(principal, ProxyGroupEntity, 'grp'),
      PROXY_GROUP_LIST,
      query,
      (builder) => this.unitOfWork.select(principal, builder),
    );
    return { items: page.items.map(proxyGroupView), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, id: string): Promise<ProxyGroupView> {
    const builder = this.unitOfWork
      .selectBuilder(principal, ProxyGroupEntity, 'grp')
      .where('grp.id = :id', { id });
    const [group] = await this.unitOfWork.select(principal, builder);
    if (group === undefined) throw DomainError.notFound('proxy group', id);
    return proxyGroupView(group);
  }

  create(principal: Principal, write: ProxyGroupWrite): Promise<ProxyGroupView> {
    DomainError.assertValid('proxy group', validateLabels(write.labels));
    return this.unitOfWork.forTenant(principal, async (manager) => {
      if (write.parentId !== null) await findParent(manager, write.parentId);
      const group = await manager.save(
        manager.create(ProxyGroupEntity, { ...write, tenantId: principal.tenantId }),
      );
      await appendEvents(manager, [changed(principal, group, 'created')]);
      return proxyGroupView(group);
    });
  }

  replace(
    principal: Principal,
    id: string,
    expectedVersion: number,
    write: ProxyGroupWrite,
  ): Promise<ProxyGroupView> {
    DomainError.assertValid('proxy group', validateLabels(write.labels));
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await findGroup(manager, id);
      if (write.parentId !== null) {
        await findParent(manager, write.parentId);
        await assertNoCycle(manager, id, write.parentId);
      }
      const group = await updateVersioned(manager, ProxyGroupEntity, id, expectedVersion, { ...write });
      await appendEvents(manager, [changed(principal, group, 'updated')]);
      return proxyGroupView(group);
    });
  }

  async patch(
    principal: Principal,
    id: string,
    expectedVersion: number,
    patch: unknown,
  ): Promise<ProxyGroupView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject(proxyGroupWriteOf(current), patch);
    return this.replace(principal, id, expectedVersion, parseRequest(proxyGroupWriteSchema, merged, 'body'));
  }

  /**
   * Sets how many proxies fleet-manager keeps running for the group and announces it (`group.scaled`);
   * fleet-manager places, creates or drains the proxies. The tenant's proxy quota bounds the total.
   */
  scale(principal: Principal, id: string, scale: ProxyGroupScale): Promise<ProxyGroupView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const current = await findGroup(manager, id);
      // The group's own proxies are replaced by the new count; those being removed no longer count.
      await assertWithinQuota(manager, principal.tenantId, 'maxProxies', {
        rows: scale.replicas,
        counted: { where: `group_id <> $1 AND desired_state <> 'removed'`, parameters: [id] },
      });
      const group = await updateVersioned(manager, ProxyGroupEntity, id, current.version, {
        desiredReplicas: scale.replicas,
      });
      await appendEvents(manager, [
        createEvent('group.scaled', {
          id: randomUUID(),
          tenantId: principal.tenantId,
          aggregateId: group.id,
          payload: { groupId: group.id, name: group.name, desiredReplicas: scale.replicas },
        }),
      ]);
      return proxyGroupView(group);
    });
  }

  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const group = await findGroup(manager, id);
      await deleteVersioned(manager, ProxyGroupEntity, id, expectedVersion);
      await appendEvents(manager, [changed(principal, group, 'deleted')]);
    });
  }
}

async function findGroup(manager: EntityManager, id: string): Promise<ProxyGroupEntity> {
  const group = await manager.findOneBy(ProxyGroupEntity, { id });
  if (group === null) throw DomainError.notFound('proxy group', id);
  return group;
}

async function findParent(manager: EntityManager, parentId: string): Promise<void> {
  if ((await manager.findOneBy(ProxyGroupEntity, { id: parentId })) === null) {
    throw new DomainError('VALIDATION_FAILED', `parent group ${parentId} does not exist`, {
      issues: [{ path: 'parentId', message: 'refers to a group that does not exist' }],
    });
  }
}

/** The database refuses a cycle too (a trigger); checking here names the field and the loop. */
async function assertNoCycle(manager: EntityManager, groupId: string, parentId: string): Promise<void> {
  const rows = await manager.find(ProxyGroupEntity, { select: { id: true, parentId: true } });
  const parentOf = new Map(rows.map((row) => [row.id, row.parentId]));
  if (wouldCreateGroupCycle(groupId, parentId, parentOf)) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `group ${parentId} cannot be the parent of ${groupId}: it would become its own ancestor`,
      {
        issues: [{ path: 'parentId', message: 'would make the group its own ancestor' }],
      },
    );
  }
}

function changed(principal: Principal, group: ProxyGroupEntity, change: Change) {
  return createEvent('group.changed', {
    id: randomUUID(),
    tenantId: principal.tenantId,
    aggregateId: group.id,
    payload: { groupId: group.id, name: group.name, change },
  });
}
