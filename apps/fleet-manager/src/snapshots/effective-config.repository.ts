import {
  ConfigBindingEntity,
  ConfigEntity,
  ConfigTemplateEntity,
  ConfigVersionEntity,
  ProxyEntity,
  ProxyGroupEntity,
  RolloutEntity,
  TenantEntity,
  withSystem,
} from '@envoy-fleet/db';
import { type ConfigDocument, reachedProxyIds } from '@envoy-fleet/domain';
import { type DataSource, type EntityManager, In } from 'typeorm';
import {
  chooseBindings,
  type ProxyResolution,
  resolveConfigs,
  type StoredTemplate,
  type StoredVersion,
} from './config-resolution';
import { type ConfigRelease, releasedVersion } from './config-release';

export interface ProxyConfigTarget {
  readonly tenantId: string;
  readonly nodeId: string;
  readonly resolution: ProxyResolution;
}

/** Why the config a proxy's bindings give cannot be served. */
export interface ConfigRejection {
  /** The config version, or the template or inheritance binding, the proxy should have run. */
  readonly source: string;
  readonly issues: readonly string[];
}

/** One tenant's build, inside its transaction and under its lock. */
export interface BuildSession {
  /** Every proxy of the tenant with its resolution. */
  resolve(): Promise<ProxyConfigTarget[]>;
  /**
   * Stores on each proxy named (by node id) why its config cannot be served, and clears that of every
   * other proxy of the tenant. Only rows whose rejection changes are written.
   */
  recordRejections(rejections: ReadonlyMap<string, ConfigRejection>): Promise<void>;
}

const ACTOR = 'system:fleet-manager';
const BUILD_LOCK_NAMESPACE = 'fleet-manager:snapshots:';

/**
 * Reads proxies, groups and bindings across tenants (as the system role, docs/adr/0002) in one
 * transaction, so every proxy of a tenant is resolved against the same state.
 */
export class EffectiveConfigRepository {
  constructor(private readonly systemDataSource: DataSource) {}

  async tenantIds(): Promise<string[]> {
    const tenants = await withSystem(this.systemDataSource, { actor: ACTOR }, (manager) =>
      manager.find(TenantEntity, { select: { id: true } }),
    );
    return tenants.map((tenant) => tenant.id);
  }

  /**
   * Runs `work` while holding the tenant's build lock (a transaction-scoped advisory lock): replicas
   * handling two events of one tenant take turns, so an older resolution never overwrites the pointers a
   * newer one wrote.
   */
  withBuildLock<T>(tenantId: string, work: (session: BuildSession) => Promise<T>): Promise<T> {
    return withSystem(this.systemDataSource, { actor: ACTOR }, async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `${BUILD_LOCK_NAMESPACE}${tenantId}`,
      ]);
      return work({
        resolve: () => resolveTenant(manager, tenantId),
        recordRejections: (rejections) => recordRejections(manager, tenantId, rejections),
      });
    });
  }

  /** The node ids among `nodeIds` that belong to a proxy. */
  async existingNodeIds(nodeIds: readonly string[]): Promise<Set<string>> {
    if (nodeIds.length === 0) return new Set();
    const proxies = await withSystem(this.systemDataSource, { actor: ACTOR }, (manager) =>
      manager.find(ProxyEntity, { select: { nodeId: true }, where: { nodeId: In(nodeIds) } }),
    );
    return new Set(proxies.map((proxy) => proxy.nodeId));
  }
}

async function resolveTenant(manager: EntityManager, tenantId: string): Promise<ProxyConfigTarget[]> {
  const [proxies, groups, bindings] = await Promise.all([
    manager.findBy(ProxyEntity, { tenantId }),
    manager.find(ProxyGroupEntity, { select: { id: true, parentId: true }, where: { tenantId } }),
    manager.findBy(ConfigBindingEntity, { tenantId }),
  ]);
  const chosen = chooseBindings(
    proxies,
    new Map(groups.map((group) => [group.id, group.parentId])),
    bindings,
  );
  const winners = [...chosen.values()].flatMap((binding) => binding ?? []);
  const [releases, templates] = await Promise.all([
    configReleases(manager, [...new Set(winners.flatMap((binding) => binding.configId ?? []))]),
    templatesById(manager, [...new Set(winners.flatMap((binding) => binding.templateId ?? []))]),
  ]);
  const resolutions = resolveConfigs(proxies, chosen, {
    versionOf: (configId, proxyId) => {
      const release = releases.get(configId);
      return release === undefined ? undefined : releasedVersion(release, proxyId);
    },
    templates,
  });
  return proxies.map((proxy) => ({
    tenantId: proxy.tenantId,
    nodeId: proxy.nodeId,
    resolution: resolutions.get(proxy.id) ?? { status: 'unbound' },
  }));
}

async function recordRejections(
  manager: EntityManager,
  tenantId: string,
  rejections: ReadonlyMap<string, ConfigRejection>,
): Promise<void> {
  await manager.query(
    `UPDATE proxies SET config_rejection = NULL, config_rejected_at = NULL
     WHERE tenant_id = $1 AND config_rejection IS NOT NULL AND NOT (node_id = ANY($2::text[]))`,
    [tenantId, [...rejections.keys()]],
  );
  const byRejection = new Map<string, string[]>();
  for (const [nodeId, { source, issues }] of rejections) {
    const json = JSON.stringify({ source, issues });
    byRejection.set(json, [...(byRejection.get(json) ?? []), nodeId]);
  }
  for (const [json, nodeIds] of byRejection) {
    await manager.query(
      `UPDATE proxies SET config_rejection = $3::jsonb, config_rejected_at = now()
       WHERE tenant_id = $1 AND node_id = ANY($2::text[]) AND config_rejection IS DISTINCT FROM $3::jsonb`,
      [tenantId, nodeIds, json],
    );
  }
}

async function templatesById(
  manager: EntityManager,
  templateIds: readonly string[],
): Promise<Map<string, StoredTemplate>> {
  if (templateIds.length === 0) return new Map();
  const templates = await manager.findBy(ConfigTemplateEntity, { id: In(templateIds) });
  return new Map(templates.map((template) => [template.id, template]));
}

/** What decides the version each proxy runs of each config (its newest version and rollout), by config id. */
async function configReleases(
  manager: EntityManager,
  configIds: readonly string[],
): Promise<Map<string, ConfigRelease>> {
  if (configIds.length === 0) return new Map();
  const [configs, rollouts] = await Promise.all([
    manager.findBy(ConfigEntity, { id: In(configIds) }),
    manager
      .createQueryBuilder(RolloutEntity, 'rollout')
      .distinctOn(['rollout.configId'])
      .where('rollout.configId IN (:...configIds)', { configIds })
      .orderBy('rollout.configId')
      .addOrderBy('rollout.createdAt', 'DESC')
      .addOrderBy('rollout.id', 'DESC')
      .getMany(),
  ]);
  const wanted = [
    ...configs
      .filter((config) => config.latestVersion > 0)
      .map((config) => ({ configId: config.id, number: config.latestVersion })),
    ...rollouts.flatMap((rollout) => [
      { id: rollout.configVersionId },
      ...(rollout.baseVersionId === null ? [] : [{ id: rollout.baseVersionId }]),
    ]),
  ];
  const stored = wanted.length === 0 ? [] : await manager.find(ConfigVersionEntity, { where: wanted });
  const byId = new Map(stored.map((version) => [version.id, storedVersion(version)]));
  const rolloutOf = new Map(rollouts.map((rollout) => [rollout.configId, rollout]));
  return new Map(
    configs.map((config) => {
      const latest = stored.find(
        (version) => version.configId === config.id && version.number === config.latestVersion,
      );
      const rollout = rolloutOf.get(config.id);
      const target = rollout === undefined ? undefined : byId.get(rollout.configVersionId);
      return [
        config.id,
        {
          latest: latest === undefined ? undefined : storedVersion(latest),
          rollout:
            rollout === undefined || target === undefined
              ? undefined
              : {
                  id: rollout.id,
                  state: rollout.state,
                  target,
                  base: rollout.baseVersionId === null ? undefined : byId.get(rollout.baseVersionId),
                  reached: new Set(reachedProxyIds(rollout)),
                },
        },
      ];
    }),
  );
}

function storedVersion(version: ConfigVersionEntity): StoredVersion {
  return {
    id: version.id,
    configId: version.configId,
    number: version.number,
    document: version.document as ConfigDocument,
  };
}
