import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { appendEvents, ProxyEntity, ProxyGroupEntity } from '@envoy-fleet/db';
import { createEvent, DomainError } from '@envoy-fleet/domain';
import { type EntityManager, In } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { SnapshotRebuildRequest, SnapshotRebuildView } from './snapshot-rebuild.dto';

/**
 * Rebuilds snapshots on demand [issue 6: Redis is a cache, rebuilt from PostgreSQL "on start-up and on
 * demand"]. The api builds nothing: it checks the scope and commits `snapshot.rebuild.requested` through
 * the outbox; fleet-manager's snapshot consumer rebuilds the tenant from PostgreSQL (publishing again a
 * snapshot whose manifest or resources Redis lost, restoring lost pointers) and publishes
 * `snapshot.rebuild.completed`, which `GET /api/v1/events` shows.
 */
@Injectable()
export class SnapshotRebuildService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  request(principal: Principal, body: SnapshotRebuildRequest): Promise<SnapshotRebuildView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const nodeIds =
        body.nodeIds !== undefined
          ? await existingNodeIds(manager, body.nodeIds)
          : body.groupId !== undefined
            ? await nodeIdsOfGroup(manager, body.groupId)
            : [];
      const requestId = randomUUID();
      const event = createEvent('snapshot.rebuild.requested', {
        id: randomUUID(),
        tenantId: principal.tenantId,
        aggregateId: requestId,
        payload: { requestId, nodeIds },
      });
      await appendEvents(manager, [event]);
      return {
        requestId,
        eventId: event.id,
        scope: body.nodeIds !== undefined ? 'proxies' : body.groupId !== undefined ? 'group' : 'tenant',
        nodeIds,
        requestedAt: event.occurredAt,
      };
    });
  }
}

async function existingNodeIds(manager: EntityManager, nodeIds: readonly string[]): Promise<string[]> {
  const found = await manager.find(ProxyEntity, {
    select: { nodeId: true },
    where: { nodeId: In([...nodeIds]) },
  });
  const known = new Set(found.map((proxy) => proxy.nodeId));
  const missing = nodeIds.find((nodeId) => !known.has(nodeId));
  if (missing !== undefined) throw DomainError.notFound('proxy', missing);
  return [...nodeIds];
}

async function nodeIdsOfGroup(manager: EntityManager, groupId: string): Promise<string[]> {
  if (!(await manager.existsBy(ProxyGroupEntity, { id: groupId }))) {
    throw DomainError.notFound('proxy group', groupId);
  }
  const rows = await manager.query<{ node_id: string }[]>(
    `WITH RECURSIVE tree AS (
       SELECT id FROM proxy_groups WHERE id = $1
       UNION SELECT g.id FROM proxy_groups g JOIN tree ON g.parent_id = tree.id
     )
     SELECT p.node_id FROM proxies p JOIN tree ON p.group_id = tree.id ORDER BY p.node_id`,
    [groupId],
  );
  return rows.map((row) => row.node_id);
}
