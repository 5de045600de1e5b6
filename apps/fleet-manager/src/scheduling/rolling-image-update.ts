import { appendEvents, ProxyEntity, ProxyGroupEntity, withSystem, withTenant } from '@envoy-fleet/db';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { type AgentCommandSender } from './agent-command.sender';
import { lockGroup, proxyChanged } from './group-scaler';

const ACTOR = 'system:fleet-manager-rolling-update';

export interface RollingUpdateCommand {
  readonly tenantId: string;
  readonly groupId: string;
}

export interface RollingUpdateStep {
  /** Proxies whose new container is ready and has ACKed its config since the update. */
  readonly settled: readonly string[];
  /** Proxies told to recreate their container with the group's image in this step. */
  readonly started: readonly ProxyEntity[];
  /** Proxies still to update or in flight after this step. */
  readonly remaining: number;
}

export interface RollingImageUpdateDependencies {
  /** Connects as the app role: the group's tenant is set on each transaction. */
  readonly dataSource: DataSource;
  /** Connects as the system role, to find the groups of every tenant with an update under way. */
  readonly systemDataSource: DataSource;
  readonly commands: AgentCommandSender;
  readonly logger: MessagingLogger;
}

/**
 * Rolls a group's proxies over to the group's `image` [issue 6, `update --cluster edge --image ...`]:
 * at most `maxSurge` proxies are in flight; one is in flight from the moment its image is changed until
 * its new container runs, reports healthy (admin `/ready`) and has ACKed its config again. Each step is
 * computed from the rows (under the group's lock), so any replica can take the next one: on a group
 * change and every interval.
 */
export class RollingImageUpdate {
  constructor(private readonly deps: RollingImageUpdateDependencies) {}

  async execute(command: RollingUpdateCommand): Promise<RollingUpdateStep> {
    const step = await withTenant(
      this.deps.dataSource,
      { tenantId: command.tenantId, actor: ACTOR },
      async (manager) => {
        await lockGroup(manager, command.groupId);
        return this.step(manager, command.groupId);
      },
    );
    await Promise.all(step.started.map((proxy) => this.deps.commands.updateImage(proxy)));
    if (step.started.length > 0 || step.settled.length > 0) {
      this.deps.logger.info(
        {
          groupId: command.groupId,
          settled: step.settled.length,
          started: step.started.length,
          remaining: step.remaining,
        },
        'rolling image update step',
      );
    }
    return step;
  }

  private async step(manager: EntityManager, groupId: string): Promise<RollingUpdateStep> {
    const group = await manager.findOneBy(ProxyGroupEntity, { id: groupId });
    if (group === null || group.image === null) return { settled: [], started: [], remaining: 0 };
    const image = group.image;
    const proxies = await manager.find(ProxyEntity, {
      where: { groupId, desiredState: 'running' },
      order: { createdAt: 'ASC', nodeId: 'ASC' },
    });
    const settled: string[] = [];
    for (const proxy of proxies) {
      if (proxy.imageUpdatedAt !== null && proxy.image === image && (await isSettled(manager, proxy))) {
        settled.push(proxy.id);
      }
    }
    if (settled.length > 0) await manager.update(ProxyEntity, { id: In(settled) }, { imageUpdatedAt: null });
    const inFlight = proxies.filter(
      (proxy) => proxy.image === image && proxy.imageUpdatedAt !== null && !settled.includes(proxy.id),
    ).length;
    const outdated = proxies.filter((proxy) => proxy.image !== image);
    const started = outdated.slice(0, Math.max(0, group.maxSurge - inFlight));
    if (started.length > 0) {
      await manager.update(
        ProxyEntity,
        { id: In(started.map((proxy) => proxy.id)) },
        { image, imageUpdatedAt: () => 'now()', status: 'starting', health: 'unknown' },
      );
      for (const proxy of started) proxy.image = image;
      await appendEvents(
        manager,
        started.map((proxy) => proxyChanged(proxy, 'updated')),
      );
    }
    return { settled, started, remaining: outdated.length + inFlight };
  }

  /** Takes the next step of every group with an update under way. */
  async executeAll(): Promise<void> {
    const groups: { tenant_id: string; id: string }[] = await withSystem(
      this.deps.systemDataSource,
      { actor: ACTOR },
      (manager) =>
        manager.query(
          `SELECT DISTINCT g.tenant_id, g.id FROM proxy_groups g JOIN proxies p ON p.group_id = g.id
           WHERE g.image IS NOT NULL AND p.desired_state = 'running'
             AND (p.image <> g.image OR p.image_updated_at IS NOT NULL)`,
        ),
    );
    for (const group of groups) await this.execute({ tenantId: group.tenant_id, groupId: group.id });
  }
}

/**
 * The new container runs, its admin `/ready` answers, and Envoy ACKed its config since the update: a
 * proxy that had ACKed before must ACK again (a proxy that never had config has nothing to ACK).
 */
async function isSettled(manager: EntityManager, proxy: ProxyEntity): Promise<boolean> {
  if (proxy.status !== 'running' || proxy.ready !== true) return false;
  const [row]: { settled: boolean }[] = await manager.query(
    `SELECT EXISTS (SELECT 1 FROM config_history WHERE proxy_id = $1 AND status = 'acked' AND responded_at >= $2)
         OR NOT EXISTS (SELECT 1 FROM config_history WHERE proxy_id = $1 AND status = 'acked') AS settled`,
    [proxy.id, proxy.imageUpdatedAt],
  );
  return row?.settled ?? false;
}
