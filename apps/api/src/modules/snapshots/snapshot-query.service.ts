import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createEvent, DomainError, type ServedSnapshotView } from '@envoy-fleet/domain';
import type { EventBus } from '@envoy-fleet/messaging';
import { EVENT_BUS } from '../../api.tokens';
import type { Principal } from '../../auth/principal';
import { ProxyService } from '../proxies/proxy.service';
import { SnapshotReplies } from './snapshot-replies';

/**
 * The snapshot a proxy is served, for gRPC `GetSnapshot` and `CreateSnapshot`. The api does not read
 * Redis: it asks fleet-manager over JetStream (`snapshot.read.requested`, and for a rebuild
 * `snapshot.rebuild.requested` first) and waits for its broadcast answer. The requests are published
 * directly, not through the outbox, because the caller waits for the answer inside its transaction;
 * they change nothing in PostgreSQL.
 */
@Injectable()
export class SnapshotQueryService {
  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly proxies: ProxyService,
    private readonly replies: SnapshotReplies,
  ) {}

  /** What the proxy is served now. */
  async served(principal: Principal, nodeId: string): Promise<ServedSnapshotView> {
    await this.proxies.find(principal, nodeId);
    return this.read(principal, nodeId);
  }

  /** Rebuilds the proxy's tenant from PostgreSQL (republishing what Redis lost), then what it is served. */
  async rebuilt(principal: Principal, nodeId: string): Promise<ServedSnapshotView> {
    await this.proxies.find(principal, nodeId);
    const requestId = randomUUID();
    await this.replies.ask<'snapshot.rebuild.completed'>(
      requestId,
      () =>
        this.bus.publish(
          createEvent('snapshot.rebuild.requested', {
            id: randomUUID(),
            tenantId: principal.tenantId,
            aggregateId: requestId,
            payload: { requestId, nodeIds: [nodeId] },
          }),
        ),
      'rebuild the snapshot',
    );
    return this.read(principal, nodeId);
  }

  private async read(principal: Principal, nodeId: string): Promise<ServedSnapshotView> {
    const requestId = randomUUID();
    const answer = await this.replies.ask<'snapshot.read.completed'>(
      requestId,
      () =>
        this.bus.publish(
          createEvent('snapshot.read.requested', {
            id: randomUUID(),
            tenantId: principal.tenantId,
            aggregateId: requestId,
            payload: { requestId, nodeId },
          }),
        ),
      'read the snapshot',
    );
    if (answer.snapshot === null) {
      throw new DomainError(
        'NOT_FOUND',
        `proxy ${nodeId} is served no snapshot: no config reaches it, its config is invalid, or Redis lost it (POST /api/v1/snapshots/rebuild restores it)`,
        { details: { entity: 'snapshot', id: nodeId } },
      );
    }
    return answer.snapshot;
  }
}
