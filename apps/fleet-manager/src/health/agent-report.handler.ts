import { randomUUID } from 'node:crypto';
import { appendEvents, NodeEntity, ProxyEntity, withSystem } from '@envoy-fleet/db';
import {
  type AgentCommandResult,
  type ContainerReport,
  type ContainerStateChange,
  createEvent,
  type DomainEvent,
  type NodeHeartbeat,
  type NodeRegistration,
  type ContainerHealth,
} from '@envoy-fleet/domain';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type DataSource, type EntityManager } from 'typeorm';
import { proxyChanged } from '../scheduling/group-scaler';
import { type FleetMetrics } from '../scheduling/fleet-metrics';
import { judgeProxyHealth } from './proxy-health.monitor';

const ACTOR = 'system:fleet-manager-health';

/**
 * Folds what node agents report into the fleet's rows [seed 000 5.2]: command results and container
 * changes into each proxy's container id, status and admin `/ready` probe (`ready`), then judges the
 * proxy's health again (`judgeProxyHealth`); registrations and heartbeats into the VM's status. Each
 * write is conditional on a change, so redeliveries and the heartbeats every replica hears write nothing
 * twice, and only the replica whose write changed a status announces it.
 */
export class AgentReportHandler {
  constructor(
    private readonly deps: {
      /** Connects as the system role: reports name a VM, not a tenant. */
      readonly systemDataSource: DataSource;
      readonly metrics: FleetMetrics;
      /**
       * A heartbeat refreshes `last_heartbeat_at` only when it is older than this, so that the VM's row
       * (and its audit trail) is written a few times per heartbeat timeout, not once per heartbeat and replica.
       */
      readonly heartbeatRefreshMs: number;
      /** An xDS disconnect lasting longer than this makes a proxy unhealthy (`proxyHealth`). */
      readonly disconnectGraceMs: number;
      readonly logger: MessagingLogger;
    },
  ) {}

  commandCompleted(result: AgentCommandResult): Promise<void> {
    if (!result.ok) {
      this.deps.metrics.commandFailed(result.kind, 'agent');
      this.deps.logger.warn(
        { commandId: result.commandId, kind: result.kind, proxyId: result.proxyId, error: result.error },
        'node agent reports a failed command',
      );
    }
    const proxyId = result.proxyId;
    if (proxyId === null) return Promise.resolve();
    return this.write(async (manager) => {
      const proxy = await manager.findOneBy(ProxyEntity, { id: proxyId, vmId: result.nodeId });
      if (proxy === null) return [];
      if (result.kind === 'remove' && (result.ok || result.error.code === 'container_not_found')) {
        if (proxy.desiredState !== 'removed') {
          await manager.update(ProxyEntity, { id: proxy.id }, { containerId: null, status: 'unknown' });
          return [proxyChanged(proxy, 'updated')];
        }
        await manager.delete(ProxyEntity, { id: proxy.id });
        return [proxyChanged(proxy, 'deleted')];
      }
      if (!result.ok) {
        if (result.kind !== 'create' && result.kind !== 'update-image') return [];
        await manager.update(ProxyEntity, { id: proxy.id }, { status: 'failed' });
        return [proxyChanged(proxy, 'updated'), ...(await this.judge(manager, [proxy.id]))];
      }
      const ready = result.probe === null ? undefined : result.probe.ready;
      const changes: Partial<ProxyEntity> = {
        ...(result.containerId !== null && result.containerId !== proxy.containerId
          ? { containerId: result.containerId }
          : {}),
        ...(result.kind === 'stop' && proxy.status !== 'stopped' ? { status: 'stopped' as const } : {}),
        ...(ready !== undefined && ready !== proxy.ready ? { ready } : {}),
      };
      if (Object.keys(changes).length === 0) return [];
      await manager.update(ProxyEntity, { id: proxy.id }, changes);
      return this.judge(manager, [proxy.id]);
    });
  }

  containerChanged(change: ContainerStateChange): Promise<void> {
    const proxyId = change.proxyId;
    if (proxyId === null) return Promise.resolve();
    return this.write(async (manager) => {
      const proxy = await manager.findOneBy(ProxyEntity, { id: proxyId, vmId: change.nodeId });
      if (proxy === null) return [];
      return this.applyContainer(manager, proxy, {
        containerId: change.change === 'destroy' ? null : change.containerId,
        status: change.status,
        ready:
          change.health === null
            ? change.status === 'running'
              ? proxy.ready
              : null
            : readyOf(change.health),
      });
    });
  }

  registered(registration: NodeRegistration): Promise<void> {
    return this.write(async (manager) => {
      const node = await manager.findOneBy(NodeEntity, { id: registration.nodeId });
      if (node === null) {
        this.deps.logger.warn(
          { vmId: registration.nodeId },
          'an agent registered a node that does not exist',
        );
        return [];
      }
      await manager.update(
        NodeEntity,
        { id: node.id },
        {
          addresses: [...registration.addresses],
          agentVersion: registration.agentVersion,
          dockerVersion: registration.dockerVersion,
          ...(registration.zone === null ? {} : { zone: registration.zone }),
          ...(registration.region === null ? {} : { region: registration.region }),
        },
      );
      return this.markReady(manager, registration.nodeId);
    });
  }

  /** A heartbeat keeps the VM ready and brings its proxies' observed state up to date. */
  heartbeat(heartbeat: NodeHeartbeat): Promise<void> {
    return this.write(async (manager) => {
      const events = await this.markReady(manager, heartbeat.nodeId);
      const reported = heartbeat.containers.filter(
        (container): container is ContainerReport & { proxyId: string } => container.proxyId !== null,
      );
      if (reported.length === 0) return events;
      const proxies = await manager.findBy(ProxyEntity, { vmId: heartbeat.nodeId });
      for (const proxy of proxies) {
        const container = reported.find((each) => each.proxyId === proxy.id);
        if (container === undefined) continue;
        events.push(
          ...(await this.applyContainer(manager, proxy, {
            containerId: container.containerId,
            status: container.status,
            ready: readyOf(container.health),
          })),
        );
      }
      return events;
    });
  }

  private async applyContainer(
    manager: EntityManager,
    proxy: ProxyEntity,
    observed: Pick<ProxyEntity, 'containerId' | 'status' | 'ready'>,
  ): Promise<DomainEvent[]> {
    if (
      observed.containerId === proxy.containerId &&
      observed.status === proxy.status &&
      observed.ready === proxy.ready
    ) {
      return [];
    }
    await manager.update(ProxyEntity, { id: proxy.id }, { ...observed, lastSeenAt: new Date() });
    return this.judge(manager, [proxy.id]);
  }

  private judge(manager: EntityManager, proxyIds: string[]): Promise<DomainEvent[]> {
    return judgeProxyHealth(manager, { proxyIds }, this.deps.disconnectGraceMs);
  }

  /** Ready again (or for the first time) unless an operator is draining it; one writer wins the change. */
  private async markReady(manager: EntityManager, vmId: string): Promise<DomainEvent[]> {
    const changed: [{ tenant_id: string }[], number] = await manager.query(
      `UPDATE nodes SET status = 'ready', last_heartbeat_at = now()
       WHERE id = $1 AND status IN ('not_ready', 'unknown') RETURNING tenant_id`,
      [vmId],
    );
    await manager.query(
      `UPDATE nodes SET last_heartbeat_at = now()
       WHERE id = $1 AND status IN ('ready', 'draining')
         AND (last_heartbeat_at IS NULL OR last_heartbeat_at < now() - make_interval(secs => $2::double precision / 1000))`,
      [vmId, this.deps.heartbeatRefreshMs],
    );
    return changed[0].map((row) =>
      createEvent('node.status.changed', {
        id: randomUUID(),
        tenantId: row.tenant_id,
        aggregateId: vmId,
        payload: { vmId, status: 'ready' },
      }),
    );
  }

  private async write(work: (manager: EntityManager) => Promise<DomainEvent[]>): Promise<void> {
    await withSystem(this.deps.systemDataSource, { actor: ACTOR }, async (manager) => {
      await appendEvents(manager, await work(manager));
    });
  }
}

/** The probe of admin `/ready` a container report carries: null when the agent could not tell. */
function readyOf(health: ContainerHealth): boolean | null {
  return health === 'unknown' ? null : health === 'healthy';
}
