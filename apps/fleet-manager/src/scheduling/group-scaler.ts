import { randomUUID } from 'node:crypto';
import {
  appendEvents,
  NodeEntity,
  ProxyEntity,
  ProxyGroupEntity,
  TenantEntity,
  withTenant,
} from '@envoy-fleet/db';
import { createEvent } from '@envoy-fleet/domain';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type DataSource, type EntityManager, In, Like, Not, QueryFailedError } from 'typeorm';
import { type AgentCommandSender, type ScheduledProxy } from './agent-command.sender';
import { type FleetSettings } from './fleet-settings';
import {
  allocatePorts,
  type CandidateNode,
  chooseProxiesToRemove,
  nextOrdinals,
  planPlacement,
} from './placement';
import { nodeIdPrefix, ordinalOf, scheduledProxyNames } from './proxy-naming';

const ACTOR = 'system:fleet-manager-scheduler';
/** Another replica placing proxies on the same VM at the same moment makes a retry; it rarely takes two. */
const MAX_ATTEMPTS = 10;
/**
 * How long a pass that is sending a proxy's command holds it: another pass resends it only after this
 * (the sender died between its commit and the send). A send that fails makes the command due at once.
 */
const SEND_CLAIM_MS = 60_000;
/** The constraints that make concurrent placements safe: a loser retries with what the winner wrote. */
const PLACEMENT_CONSTRAINTS = new Set([
  'uq_proxies_vm_id_proxy_port',
  'uq_proxies_vm_id_admin_port',
  'uq_proxies_vm_id_container_name',
  'uq_proxies_node_id',
]);

export interface ScaleGroupCommand {
  readonly tenantId: string;
  readonly groupId: string;
}

export interface ScaleReport {
  readonly created: readonly ScheduledProxy[];
  readonly draining: readonly ProxyEntity[];
  /** Proxies the group wants that no ready VM had room for. */
  readonly unplaced: number;
}

export interface GroupScalerDependencies {
  /** Connects as the app role: the group's tenant is set on each transaction. */
  readonly dataSource: DataSource;
  readonly commands: AgentCommandSender;
  readonly settings: FleetSettings;
  readonly logger: MessagingLogger;
}

/**
 * Converges a group on its `desiredReplicas` [seed 000 5.1]. Replicas of fleet-manager may run it for
 * the same group at once (a per-group advisory lock makes them take turns) and for different groups on
 * the same VMs (the database's unique ports per VM refuse the loser, which retries with fresh ports).
 * Rows are written first, in one transaction with their `proxy.changed` events; the node agents are
 * told after the commit.
 */
export class GroupScaler {
  constructor(private readonly deps: GroupScalerDependencies) {}

  async execute(command: ScaleGroupCommand): Promise<ScaleReport> {
    const { report, pending } = await this.converge(command);
    const creating = [...report.created, ...pending.created];
    const draining = [...report.draining, ...pending.draining];
    const sent = await Promise.all([
      ...creating.map((proxy) => this.deps.commands.create(proxy)),
      ...draining.map((proxy) => this.deps.commands.drain(proxy)),
    ]);
    await this.recordSends(command.tenantId, [
      ...creating.map(({ proxy }, index) => ({ proxy, sent: sent[index] === true })),
      ...draining.map((proxy, index) => ({ proxy, sent: sent[creating.length + index] === true })),
    ]);
    if (report.unplaced > 0) {
      this.deps.logger.warn(
        { groupId: command.groupId, unplaced: report.unplaced },
        'no ready VM has room for every proxy the group wants',
      );
    }
    if (sent.includes(false)) {
      throw new Error(`some commands for group ${command.groupId} were not queued; they are resent on retry`);
    }
    return report;
  }

  /** A queued command is no longer due; a failed one is due at once (unless the row wants something else now). */
  private async recordSends(
    tenantId: string,
    sends: readonly { proxy: ProxyEntity; sent: boolean }[],
  ): Promise<void> {
    if (sends.length === 0) return;
    await withTenant(this.deps.dataSource, { tenantId, actor: ACTOR }, async (manager) => {
      for (const sent of [true, false]) {
        for (const desiredState of ['running', 'removed'] as const) {
          const ids = sends
            .filter((each) => each.sent === sent && each.proxy.desiredState === desiredState)
            .map((each) => each.proxy.id);
          if (ids.length === 0) continue;
          await manager.update(
            ProxyEntity,
            { id: In(ids), desiredState },
            { commandDueAt: sent ? null : () => 'now()' },
          );
        }
      }
    });
  }

  private async converge(command: ScaleGroupCommand): Promise<{ report: ScaleReport; pending: ScaleReport }> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await withTenant(
          this.deps.dataSource,
          { tenantId: command.tenantId, actor: ACTOR },
          (manager) => this.plan(manager, command),
        );
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isPlacementCollision(error)) throw error;
        this.deps.logger.info(
          { groupId: command.groupId, attempt },
          'placement collided with another replica',
        );
      }
    }
  }

  private async plan(
    manager: EntityManager,
    command: ScaleGroupCommand,
  ): Promise<{ report: ScaleReport; pending: ScaleReport }> {
    await lockGroup(manager, command.groupId);
    const nothing: ScaleReport = { created: [], draining: [], unplaced: 0 };
    const group = await manager.findOneBy(ProxyGroupEntity, { id: command.groupId });
    if (group === null) return { report: nothing, pending: nothing };
    const proxies = await manager.find(ProxyEntity, {
      where: { groupId: group.id },
      order: { createdAt: 'ASC' },
    });
    const active = proxies.filter((proxy) => proxy.desiredState !== 'removed');
    const pending = await this.claimDue(manager, proxies, group.name);
    if (group.desiredReplicas === null) return { report: nothing, pending };
    const missing = group.desiredReplicas - active.length;
    if (missing < 0) {
      const report = await this.drain(manager, active, -missing);
      // A proxy drained before its create went out gets only the drain.
      const created = pending.created.filter(({ proxy }) => proxy.desiredState !== 'removed');
      return { report, pending: { ...pending, created } };
    }
    if (missing > 0) return { report: await this.place(manager, group, missing), pending };
    return { report: nothing, pending };
  }

  /** The proxies whose command is due, claimed for this pass. */
  private async claimDue(
    manager: EntityManager,
    proxies: readonly ProxyEntity[],
    groupName: string,
  ): Promise<ScaleReport> {
    const now = Date.now();
    const due = proxies.filter(
      (proxy) => proxy.commandDueAt !== null && proxy.commandDueAt.getTime() <= now && proxy.vmId !== null,
    );
    if (due.length > 0) {
      await manager.update(
        ProxyEntity,
        { id: In(due.map((proxy) => proxy.id)) },
        { commandDueAt: claimUntil() },
      );
    }
    return {
      created: due.filter((proxy) => proxy.desiredState !== 'removed').map((proxy) => ({ proxy, groupName })),
      draining: due.filter((proxy) => proxy.desiredState === 'removed'),
      unplaced: 0,
    };
  }

  private async drain(manager: EntityManager, active: ProxyEntity[], count: number): Promise<ScaleReport> {
    const victims = chooseProxiesToRemove(
      active.map((proxy) => ({ id: proxy.id, createdAt: proxy.createdAt, ordinal: ordinalOf(proxy.nodeId) })),
      count,
    );
    const ids = new Set(victims.map((victim) => victim.id));
    const draining = active.filter((proxy) => ids.has(proxy.id));
    await manager.update(
      ProxyEntity,
      { id: In([...ids]) },
      { desiredState: 'removed', commandDueAt: claimUntil() },
    );
    for (const proxy of draining) proxy.desiredState = 'removed';
    await appendEvents(
      manager,
      draining.map((proxy) => proxyChanged(proxy, 'updated')),
    );
    return { created: [], draining, unplaced: 0 };
  }

  private async place(manager: EntityManager, group: ProxyGroupEntity, count: number): Promise<ScaleReport> {
    const tenant = await manager.findOneByOrFail(TenantEntity, { id: group.tenantId });
    const nodes = await manager.findBy(NodeEntity, { status: 'ready' });
    const onNodes =
      nodes.length === 0 ? [] : await manager.findBy(ProxyEntity, { vmId: In(nodes.map((node) => node.id)) });
    const prefix = nodeIdPrefix(tenant.name, group.name);
    const named = await manager.find(ProxyEntity, {
      select: { nodeId: true, containerName: true },
      where: [{ groupId: group.id }, { nodeId: Like(`${escapeLike(prefix)}%`) }],
    });
    const usedOrdinals = new Set(
      named
        .flatMap((proxy) => [ordinalOf(proxy.containerName), ordinalOf(proxy.nodeId)])
        .filter((n) => n > 0),
    );
    const candidates = nodes.map((node) => candidateOf(node, group.id, onNodes, this.deps.settings));
    const plan = planPlacement(candidates, count, this.deps.settings.proxyDemand);
    const image = group.image ?? (await newestImage(manager, group.id)) ?? this.deps.settings.defaultImage;
    const ordinals = nextOrdinals(usedOrdinals, plan.nodeIds.length);
    const taken = new Map(candidates.map((candidate) => [candidate.id, new Set(candidate.takenPorts)]));

    const rows: ProxyEntity[] = [];
    plan.nodeIds.forEach((nodeId, index) => {
      const node = nodes.find((each) => each.id === nodeId) as NodeEntity;
      const ports = allocatePorts(rangesOf(node), taken.get(nodeId) as Set<number>);
      if (ports === null) return;
      const names = scheduledProxyNames(tenant.name, group.name, ordinals[index] as number);
      rows.push(
        manager.create(ProxyEntity, {
          tenantId: group.tenantId,
          groupId: group.id,
          vmId: node.id,
          nodeId: names.nodeId,
          containerName: names.containerName,
          proxyPort: ports.proxyPort,
          adminPort: ports.adminPort,
          image,
          desiredState: 'running',
          cpuMillicores: this.deps.settings.proxyDemand.cpuMillicores,
          memoryMib: this.deps.settings.proxyDemand.memoryMib,
          commandDueAt: claimUntil(),
        }),
      );
    });
    const created = rows.length === 0 ? [] : await manager.save(rows);
    await appendEvents(
      manager,
      created.map((proxy) => proxyChanged(proxy, 'created')),
    );
    return {
      created: created.map((proxy) => ({ proxy, groupName: group.name })),
      draining: [],
      unplaced: count - created.length,
    };
  }
}

/** Scaling and rolling updates of one group take turns, across replicas, for the rest of the transaction. */
export async function lockGroup(manager: EntityManager, groupId: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `fleet-manager:group:${groupId}`,
  ]);
}

/** A command due time that keeps other passes off a row while this one sends its command. */
export function claimUntil(): Date {
  return new Date(Date.now() + SEND_CLAIM_MS);
}

function candidateOf(
  node: NodeEntity,
  groupId: string,
  onNodes: readonly ProxyEntity[],
  settings: FleetSettings,
): CandidateNode {
  const mine = onNodes.filter((proxy) => proxy.vmId === node.id);
  const demandOf = (proxy: ProxyEntity) => ({
    cpuMillicores: proxy.cpuMillicores ?? settings.proxyDemand.cpuMillicores,
    memoryMib: proxy.memoryMib ?? settings.proxyDemand.memoryMib,
  });
  return {
    id: node.id,
    hostname: node.hostname,
    zone: node.zone,
    capacity: { cpuMillicores: node.cpuMillicores, memoryMib: node.memoryMib },
    allocated: mine.reduce(
      (sum, proxy) => ({
        cpuMillicores: sum.cpuMillicores + demandOf(proxy).cpuMillicores,
        memoryMib: sum.memoryMib + demandOf(proxy).memoryMib,
      }),
      { cpuMillicores: 0, memoryMib: 0 },
    ),
    groupProxies: mine.filter((proxy) => proxy.groupId === groupId && proxy.desiredState !== 'removed')
      .length,
    ...rangesOf(node),
    takenPorts: new Set(mine.flatMap((proxy) => [proxy.proxyPort, proxy.adminPort])),
  };
}

function rangesOf(node: NodeEntity) {
  return {
    proxyPortRange: { start: node.proxyPortRangeStart, end: node.proxyPortRangeEnd },
    adminPortRange: { start: node.adminPortRangeStart, end: node.adminPortRangeEnd },
  };
}

/** New proxies run what the group's newest proxy runs, so a scale-up after a rolling update keeps its image. */
async function newestImage(manager: EntityManager, groupId: string): Promise<string | undefined> {
  const newest = await manager.findOne(ProxyEntity, {
    where: { groupId, desiredState: Not('removed') },
    order: { createdAt: 'DESC' },
  });
  return newest?.image;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function isPlacementCollision(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const fields = error.driverError as { code?: string; constraint?: string };
  return fields.code === '23505' && PLACEMENT_CONSTRAINTS.has(fields.constraint ?? '');
}

export function proxyChanged(proxy: ProxyEntity, change: 'created' | 'updated' | 'deleted') {
  return createEvent('proxy.changed', {
    id: randomUUID(),
    tenantId: proxy.tenantId,
    aggregateId: proxy.id,
    payload: { proxyId: proxy.id, nodeId: proxy.nodeId, change },
  });
}
