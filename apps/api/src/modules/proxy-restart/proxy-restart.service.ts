import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@envoy-fleet/domain';
import type { EventBus } from '@envoy-fleet/messaging';
import { EVENT_BUS } from '../../api.tokens';
import type { Principal } from '../../auth/principal';
import { findProxy } from '../../database/lookups';
import { requestScope } from '../../database/request-scope';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { RestartRequestView } from './proxy-restart.dto';

/**
 * `POST /proxies/{node_id}/restart` and the RestartProxy RPC: queues the node-agent `restart` command
 * (packages/domain/src/agent-commands.ts) on the durable command stream of the proxy's VM, so an agent
 * that is offline restarts the container when it returns. The agent stops the container with the grace
 * period (Envoy drains) and starts it again; it reports `agent.command.completed` with the command id.
 * Nothing is stored: the container's state is observed, not desired, so a restart changes no row.
 * A dry run checks everything and queues nothing.
 */
@Injectable()
export class ProxyRestartService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  async request(principal: Principal, nodeId: string, graceSeconds: number): Promise<RestartRequestView> {
    const proxy = await this.unitOfWork.forTenant(principal, (manager) => findProxy(manager, nodeId));
    if (proxy.desiredState === 'removed') {
      throw DomainError.invalidState('proxy', nodeId, 'being removed', 'a restart');
    }
    if (proxy.vmId === null) {
      throw new DomainError(
        'INVALID_STATE',
        `proxy ${nodeId} is not placed on a node yet, so there is no container to restart`,
        { details: { entity: 'proxy', id: nodeId, state: 'unplaced', operation: 'a restart' } },
      );
    }
    const command = {
      id: randomUUID(),
      kind: 'restart' as const,
      payload: { proxyId: proxy.id, graceSeconds },
      issuedAt: new Date().toISOString(),
    };
    if (requestScope.getStore()?.dryRun !== true) await this.bus.sendCommand(proxy.vmId, command);
    return {
      nodeId,
      proxyId: proxy.id,
      vmId: proxy.vmId,
      commandId: command.id,
      graceSeconds,
      requestedAt: command.issuedAt,
    };
  }
}
