import { randomUUID } from 'node:crypto';
import {
  appendEvents,
  ConfigBindingEntity,
  ProxyEntity,
  ProxyGroupEntity,
  RolloutEntity,
  withSystem,
} from '@envoy-fleet/db';
import {
  applyRolloutStep,
  createEvent,
  nextRolloutStep,
  planWaves,
  type ProxyProgress,
  reachedProxyIds,
  type RolloutChange,
  type RolloutStep,
  XDS_RESOURCE_TYPES,
  type XdsResourceType,
} from '@envoy-fleet/domain';
import { type MessagingLogger } from '@envoy-fleet/messaging';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { configVersionOfServingKey, typeUrlOfResourceType } from '../deliveries/delivery-status';
import { type ServedSnapshots } from '../deliveries/served-snapshots';
import { chooseBindings } from '../snapshots/config-resolution';

const ACTOR = 'system:fleet-manager';

/** The binding modes that name a config directly: the proxies they choose are the rollout's. */
const DIRECT_MODES = new Set(['instance', 'group', 'label_selector']);

export interface RolloutEngineDependencies {
  /** The system role: the engine drives every tenant's rollouts. */
  readonly systemDataSource: DataSource;
  readonly served: ServedSnapshots;
  readonly logger: MessagingLogger;
  readonly clock?: () => Date;
}

interface LatestResponse {
  proxy_id: string;
  resource_type: XdsResourceType;
  status: 'acked' | 'nacked';
  xds_version: string;
  config_version_id: string | null;
  settled: boolean;
}

/**
 * Drives pending and running rollouts (docs/rollouts.md): starts a pending one by splitting the proxies
 * its config is bound to into waves, then, on each round, observes the proxies reached so far (what
 * Redis serves them, what they ACKed or NACKed in `config_history`, their connection and health) and
 * applies the domain's decision (`nextRolloutStep`). Each rollout is handled in its own transaction
 * under a row lock that replicas skip, and every change of state or wave commits `rollout.changed`
 * through the outbox: the snapshot consumer then rebuilds the tenant's snapshots, which moves proxies
 * between versions (`releasedVersion`).
 */
export class RolloutEngine {
  private readonly clock: () => Date;

  constructor(private readonly deps: RolloutEngineDependencies) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** One round over every pending and running rollout; returns how many changed state or wave. */
  async advance(): Promise<number> {
    const active = await withSystem(this.deps.systemDataSource, { actor: ACTOR }, (manager) =>
      manager.find(RolloutEntity, {
        select: { id: true },
        where: { state: In(['pending', 'running']) },
        order: { createdAt: 'ASC' },
      }),
    );
    let changed = 0;
    for (const { id } of active) {
      if (await this.advanceOne(id)) changed += 1;
    }
    return changed;
  }

  private advanceOne(rolloutId: string): Promise<boolean> {
    return withSystem(this.deps.systemDataSource, { actor: ACTOR }, async (manager) => {
      const rollout = await manager
        .createQueryBuilder(RolloutEntity, 'rollout')
        .where('rollout.id = :rolloutId', { rolloutId })
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getOne();
      if (rollout === null || (rollout.state !== 'pending' && rollout.state !== 'running')) return false;
      const now = this.clock();
      const step: RolloutStep =
        rollout.state === 'pending'
          ? { kind: 'start', waveProxies: await this.plan(manager, rollout) }
          : nextRolloutStep(rollout, await this.observe(manager, rollout), now);
      if (step.kind === 'wait') return false;
      const change = applyRolloutStep(rollout, step, now);
      await saveChange(manager, rollout, change);
      const moved = change.state !== rollout.state || change.currentWave !== rollout.currentWave;
      if (moved) {
        this.deps.logger.info(
          { rolloutId, state: change.state, wave: change.currentWave, reason: change.reason },
          `rollout ${step.kind}`,
        );
        await appendEvents(manager, [rolloutChanged(rollout, change)]);
      }
      return moved;
    });
  }

  /** The proxies whose binding names the rollout's config, ordered by node id (the first are canaries). */
  private async plan(manager: EntityManager, rollout: RolloutEntity): Promise<string[][]> {
    const { tenantId } = rollout;
    const [proxies, groups, bindings] = await Promise.all([
      manager.find(ProxyEntity, { where: { tenantId }, order: { nodeId: 'ASC' } }),
      manager.find(ProxyGroupEntity, { select: { id: true, parentId: true }, where: { tenantId } }),
      manager.findBy(ConfigBindingEntity, { tenantId }),
    ]);
    const chosen = chooseBindings(
      proxies,
      new Map(groups.map((group) => [group.id, group.parentId])),
      bindings,
    );
    const targets = proxies.filter((proxy) => {
      const binding = chosen.get(proxy.id);
      return binding !== undefined && DIRECT_MODES.has(binding.mode) && binding.configId === rollout.configId;
    });
    return planWaves(
      rollout.strategy,
      rollout.waves,
      targets.map((proxy) => proxy.id),
    );
  }

  /** How each proxy reached so far is doing with the rollout's version. */
  private async observe(manager: EntityManager, rollout: RolloutEntity): Promise<ProxyProgress[]> {
    const reached = reachedProxyIds(rollout);
    if (reached.length === 0) return [];
    const proxies = await manager.findBy(ProxyEntity, { id: In(reached) });
    const responses = await manager.query<LatestResponse[]>(
      `SELECT DISTINCT ON (proxy_id, resource_type) proxy_id, resource_type, status, xds_version,
         config_version_id, settled_at IS NOT NULL AS settled
       FROM config_history
       WHERE proxy_id = ANY($1::uuid[]) AND status IN ('acked', 'nacked')
       ORDER BY proxy_id, resource_type, responded_at DESC`,
      [reached],
    );
    const latest = new Map(responses.map((row) => [`${row.proxy_id}/${row.resource_type}`, row]));
    const servedSnapshots = await this.deps.served.ofMany(proxies.map((proxy) => proxy.nodeId));
    return proxies.map((proxy): ProxyProgress => {
      const healthy = proxy.xdsConnected && proxy.health !== 'unhealthy';
      const answered = XDS_RESOURCE_TYPES.flatMap((type) => {
        const row = latest.get(`${proxy.id}/${type}`);
        return row === undefined ? [] : [{ type, row }];
      });
      const nacked = answered.some(
        ({ row }) =>
          row.status === 'nacked' && row.settled && row.config_version_id === rollout.configVersionId,
      );
      if (nacked) return { delivery: 'nacked', healthy };
      const served = servedSnapshots.get(proxy.nodeId);
      const subscribed = XDS_RESOURCE_TYPES.filter((type) => syncStatusOf(proxy, type) !== 'NOT_SENT');
      const onVersion =
        served !== undefined &&
        configVersionOfServingKey(served.servingKey) === rollout.configVersionId &&
        subscribed.length > 0 &&
        subscribed.every((type) => {
          const row = latest.get(`${proxy.id}/${type}`);
          return row?.status === 'acked' && row.xds_version === served.versionOf(typeUrlOfResourceType(type));
        });
      return { delivery: onVersion ? 'acked' : 'waiting', healthy };
    });
  }
}

function syncStatusOf(proxy: ProxyEntity, type: XdsResourceType): string {
  switch (type) {
    case 'listener':
      return proxy.listenerSyncStatus;
    case 'route_config':
      return proxy.routeConfigSyncStatus;
    case 'cluster':
      return proxy.clusterSyncStatus;
    case 'endpoint':
      return proxy.endpointSyncStatus;
    case 'secret':
      return proxy.secretSyncStatus;
  }
}

async function saveChange(manager: EntityManager, rollout: RolloutEntity, change: RolloutChange) {
  await manager.query(
    `UPDATE rollouts SET state = $2, wave_proxies = $3::jsonb, current_wave = $4, wave_settled_at = $5,
       reason = $6,
       started_at = CASE WHEN $7 THEN now() ELSE started_at END,
       finished_at = CASE WHEN $8 THEN now() ELSE finished_at END,
       version = version + 1, updated_at = now()
     WHERE id = $1`,
    [
      rollout.id,
      change.state,
      JSON.stringify(change.waveProxies),
      change.currentWave,
      change.waveSettledAt,
      change.reason,
      change.started,
      change.finished,
    ],
  );
}

function rolloutChanged(rollout: RolloutEntity, change: RolloutChange) {
  return createEvent('rollout.changed', {
    id: randomUUID(),
    tenantId: rollout.tenantId,
    aggregateId: rollout.id,
    payload: {
      rolloutId: rollout.id,
      configVersionId: rollout.configVersionId,
      state: change.state,
      wave: change.currentWave,
    },
  });
}
