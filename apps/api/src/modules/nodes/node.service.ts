import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  createEvent,
  DomainError,
  type DomainEvent,
  portRangesOverlap,
  validateLabels,
  validatePortRange,
} from '@envoy-fleet/domain';
import { appendEvents, NodeEntity, updateVersioned } from '@envoy-fleet/db';
import type { Principal } from '../../auth/principal';
import { assertWithinQuota } from '../../database/tenant-quota';
import { deleteVersioned } from '../../database/versioned-delete';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import {
  NODE_LIST,
  nodeColumns,
  type NodeView,
  nodeView,
  type NodeWrite,
  nodeWriteOf,
  nodeWriteSchema,
} from './node.dto';

@Injectable()
export class NodeService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  async list(principal: Principal, query: ListQuery): Promise<Page<NodeView>> {
    const page = await listPage(
      this.unitOfWork.selectBuilder(principal, NodeEntity, 'node'),
      NODE_LIST,
      query,
      (builder) => this.unitOfWork.select(principal, builder),
    );
    return { items: page.items.map(nodeView), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, id: string): Promise<NodeView> {
    const builder = this.unitOfWork
      .selectBuilder(principal, NodeEntity, 'node')
      .where('node.id = :id', { id });
    const [node] = await this.unitOfWork.select(principal, builder);
    if (node === undefined) throw DomainError.notFound('node', id);
    return nodeView(node);
  }

  create(principal: Principal, write: NodeWrite): Promise<NodeView> {
    assertValid(write);
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const node = await manager.save(
        manager.create(NodeEntity, { ...nodeColumns(write), tenantId: principal.tenantId }),
      );
      await appendEvents(manager, [
        event(principal, node, 'node.registered', { vmId: node.id, hostname: node.hostname }),
      ]);
      await assertWithinQuota(manager, principal.tenantId, 'maxNodes');
      return nodeView(node);
    });
  }

  replace(principal: Principal, id: string, expectedVersion: number, write: NodeWrite): Promise<NodeView> {
    assertValid(write);
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const before = await findNode(manager.findOneBy(NodeEntity, { id }), id);
      const node = await updateVersioned(manager, NodeEntity, id, expectedVersion, nodeColumns(write));
      const events: DomainEvent[] = [
        event(principal, node, 'node.changed', { vmId: id, hostname: node.hostname, change: 'updated' }),
      ];
      if (before.status !== node.status && node.status !== 'unknown') {
        events.push(event(principal, node, 'node.status.changed', { vmId: id, status: node.status }));
      }
      await appendEvents(manager, events);
      return nodeView(node);
    });
  }

  async patch(principal: Principal, id: string, expectedVersion: number, patch: unknown): Promise<NodeView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject(nodeWriteOf(current), patch);
    return this.replace(principal, id, expectedVersion, parseRequest(nodeWriteSchema, merged, 'body'));
  }

  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const node = await findNode(manager.findOneBy(NodeEntity, { id }), id);
      await deleteVersioned(manager, NodeEntity, id, expectedVersion);
      await appendEvents(manager, [
        event(principal, node, 'node.changed', { vmId: id, hostname: node.hostname, change: 'deleted' }),
      ]);
    });
  }
}

async function findNode(found: Promise<NodeEntity | null>, id: string): Promise<NodeEntity> {
  const node = await found;
  if (node === null) throw DomainError.notFound('node', id);
  return node;
}

function assertValid(write: NodeWrite): void {
  const issues = [
    ...validateLabels(write.labels),
    ...validatePortRange(write.proxyPortRange, 'proxyPortRange'),
    ...validatePortRange(write.adminPortRange, 'adminPortRange'),
  ];
  if (issues.length === 0 && portRangesOverlap(write.proxyPortRange, write.adminPortRange)) {
    issues.push({ path: 'adminPortRange', message: 'must not overlap proxyPortRange' });
  }
  DomainError.assertValid('node', issues);
}

function event<T extends 'node.registered' | 'node.changed' | 'node.status.changed'>(
  principal: Principal,
  node: NodeEntity,
  type: T,
  payload: Parameters<typeof createEvent<T>>[1]['payload'],
): DomainEvent {
  return createEvent(type, { id: randomUUID(), tenantId: principal.tenantId, aggregateId: node.id, payload });
}
