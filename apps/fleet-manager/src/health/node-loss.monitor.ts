import { randomUUID } from 'node:crypto';
import { appendEvents, ProxyEntity, ProxyGroupEntity, withSystem } from '@envoy-fleet/db';
import { createEvent } from '@envoy-fleet/domain';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type DataSource, In } from 'typeorm';
import { type GroupScaler, proxyChanged } from '../scheduling/group-scaler';
import { judgeProxyHealth } from './proxy-health.monitor';

const ACTOR = 'system:fleet-manager-health';

export interface LostNode {
  readonly vmId: string;
  readonly tenantId: string;
  readonly hostname: string;
  /** Proxies marked for removal because their group reschedules on node loss. */
  readonly rescheduled: readonly ProxyEntity[];
  readonly groupIds: readonly string[];
}

export interface NodeLossMonitorDependencies {
  readonly systemDataSource: DataSource;
  readonly scaler: GroupScaler;
  readonly heartbeatTimeoutMs: number;
  /** Its proxies' health is judged again (`judgeProxyHealth`): unknown while the VM is silent. */
  readonly disconnectGraceMs: number;
  readonly logger: MessagingLogger;
}

/**
 * Marks a ready VM whose agent stopped heartbeating `not_ready` [seed 000 5.2], its proxies' observed
 * state unknown, and judges their health again (unknown while the VM is silent). Proxies of groups with `rescheduleOnNodeLoss` are marked for removal (their
 * stop and remove commands wait in the VM's durable stream for the agent to come back) and their groups
 * are scaled back up on the VMs that remain. Every replica runs the check; the conditional UPDATE lets
 * exactly one of them handle each lost VM.
 */
export class NodeLossMonitor {
  constructor(private readonly deps: NodeLossMonitorDependencies) {}

  /** One check: handles every VM lost since the last one and returns them. */
  async execute(): Promise<LostNode[]> {
    const lost = await withSystem(this.deps.systemDataSource, { actor: ACTOR }, async (manager) => {
      const [rows]: [{ id: string; tenant_id: string; hostname: string }[], number] = await manager.query(
        `UPDATE nodes SET status = 'not_ready'
         WHERE status = 'ready' AND (last_heartbeat_at IS NULL OR last_heartbeat_at < now() - make_interval(secs => $1::double precision / 1000))
         RETURNING id, tenant_id, hostname`,
        [this.deps.heartbeatTimeoutMs],
      );
      const found: LostNode[] = [];
      for (const row of rows) {
        const proxies = await manager.findBy(ProxyEntity, { vmId: row.id });
        await manager.update(ProxyEntity, { vmId: row.id }, { status: 'unknown', ready: null });
        const healthChanges = await judgeProxyHealth(manager, { vmId: row.id }, this.deps.disconnectGraceMs);
        const groups = await manager.findBy(ProxyGroupEntity, {
          id: In([...new Set(proxies.map((proxy) => proxy.groupId))]),
          rescheduleOnNodeLoss: true,
        });
        const rescheduling = new Set(groups.map((group) => group.id));
        const rescheduled = proxies.filter(
          (proxy) => rescheduling.has(proxy.groupId) && proxy.desiredState !== 'removed',
        );
        if (rescheduled.length > 0) {
          await manager.update(
            ProxyEntity,
            { id: In(rescheduled.map((proxy) => proxy.id)) },
            { desiredState: 'removed', commandDueAt: () => 'now()' },
          );
          for (const proxy of rescheduled) proxy.desiredState = 'removed';
        }
        await appendEvents(manager, [
          createEvent('node.status.changed', {
            id: randomUUID(),
            tenantId: row.tenant_id,
            aggregateId: row.id,
            payload: { vmId: row.id, status: 'not_ready' },
          }),
          ...rescheduled.map((proxy) => proxyChanged(proxy, 'updated')),
          ...healthChanges,
        ]);
        found.push({
          vmId: row.id,
          tenantId: row.tenant_id,
          hostname: row.hostname,
          rescheduled,
          groupIds: [...rescheduling],
        });
      }
      return found;
    });
    for (const node of lost) {
      this.deps.logger.warn(
        { vmId: node.vmId, hostname: node.hostname, rescheduled: node.rescheduled.length },
        'node missed its heartbeats: marked not_ready',
      );
      // The scaler sends the rescheduled proxies' drains (their commands are due) and replaces them.
      for (const groupId of node.groupIds)
        await this.deps.scaler.execute({ tenantId: node.tenantId, groupId });
    }
    return lost;
  }
}
