import {
  ConfigBindingEntity,
  ConfigEntity,
  ConfigTemplateEntity,
  ConfigVersionEntity,
  ProxyEntity,
  ProxyGroupEntity,
  TenantEntity,
  withSystem,
} from '@envoy-fleet/db';
import { type ConfigDocument } from '@envoy-fleet/domain';
import { type DataSource, type EntityManager, In } from 'typeorm';
import {
  chooseBindings,
  type ProxyResolution,
  resolveConfigs,
  type StoredTemplate,
  type StoredVersion,
} from './config-resolution';

export interface ProxyConfigTarget {
  readonly tenantId: string;
  readonly nodeId: string;
  readonly resolution: ProxyResolution;
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
   * newer one wrote. `resolve` reads every proxy of the tenant with its effective version.
   */
  withBuildLock<T>(
    tenantId: string,
    work: (resolve: () => Promise<ProxyConfigTarget[]>) => Promise<T>,
  ): Promise<T> {
    return withSystem(this.systemDataSource, { actor: ACTOR }, async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `${BUILD_LOCK_NAMESPACE}${tenantId}`,
      ]);
      return work(() => resolveTenant(manager, tenantId));
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
  const [versions, templates] = await Promise.all([
    latestVersions(manager, [...new Set(winners.flatMap((binding) => binding.configId ?? []))]),
    templatesById(manager, [...new Set(winners.flatMap((binding) => binding.templateId ?? []))]),
  ]);
  const resolutions = resolveConfigs(proxies, chosen, { versions, templates });
  return proxies.map((proxy) => ({
    tenantId: proxy.tenantId,
    nodeId: proxy.nodeId,
    resolution: resolutions.get(proxy.id) ?? { status: 'unbound' },
  }));
}

async function templatesById(
  manager: EntityManager,
  templateIds: readonly string[],
): Promise<Map<string, StoredTemplate>> {
  if (templateIds.length === 0) return new Map();
  const templates = await manager.findBy(ConfigTemplateEntity, { id: In(templateIds) });
  return new Map(templates.map((template) => [template.id, template]));
}

/** The newest version of each config, by config id; configs without a version are left out. */
async function latestVersions(
  manager: EntityManager,
  configIds: readonly string[],
): Promise<Map<string, StoredVersion>> {
  if (configIds.length === 0) return new Map();
  const configs = await manager.findBy(ConfigEntity, { id: In(configIds) });
  const numbered = configs.filter((config) => config.latestVersion > 0);
  if (numbered.length === 0) return new Map();
  const versions = await manager.find(ConfigVersionEntity, {
    where: numbered.map((config) => ({ configId: config.id, number: config.latestVersion })),
  });
  return new Map(
    versions.map((version) => [
      version.configId,
      {
        id: version.id,
        configId: version.configId,
        number: version.number,
        document: version.document as ConfigDocument,
      },
    ]),
  );
}
