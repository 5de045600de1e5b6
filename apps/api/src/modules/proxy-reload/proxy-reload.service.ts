import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createEvent } from '@envoy-fleet/domain';
import { appendEvents } from '@envoy-fleet/db';
import type { Principal } from '../../auth/principal';
import { findProxy } from '../../database/lookups';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { ReloadRequestView } from './proxy-reload.dto';

/**
 * `POST /proxies/{node_id}/reload` [seed 001 6.1.2]: asks for the proxy's configuration to be
 * resolved again from PostgreSQL and pushed. The api does not build snapshots; it commits a
 * `proxy.reload.requested` event through the outbox, and fleet-manager's snapshot consumer rebuilds
 * the proxy's tenant from it (republishing a snapshot Redis lost, repointing the proxy), after which
 * the xds-server sends whatever changed.
 */
@Injectable()
export class ProxyReloadService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  request(principal: Principal, nodeId: string): Promise<ReloadRequestView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const proxy = await findProxy(manager, nodeId);
      const event = createEvent('proxy.reload.requested', {
        id: randomUUID(),
        tenantId: principal.tenantId,
        aggregateId: proxy.id,
        payload: { proxyId: proxy.id, nodeId },
      });
      await appendEvents(manager, [event]);
      return { nodeId, proxyId: proxy.id, eventId: event.id, requestedAt: event.occurredAt };
    });
  }
}
