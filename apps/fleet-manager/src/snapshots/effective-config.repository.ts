import {
  ConfigBindingEntity,
  ConfigEntity,
  ConfigVersionEntity,
  ProxyEntity,
  ProxyGroupEntity,
  TenantEntity,
  withSystem,
} from '@envoy-fleet/db';
import { chooseBinding, type ConfigDocument, groupAncestors } from '@envoy-fleet/domain';
import { type DataSource, type EntityManager, In } from 'typeorm';

/** The config version a proxy should run, as its bindings decide. */
export interface EffectiveVersion {
  readonly id: string;
  readonly configId: string;
  readonly number: number;
  readonly document: ConfigDocument;
}

export interface ProxyConfigTarget {
  readonly tenantId: string;
  readonly nodeId: string;
  /** Undefined when no binding names a config for the proxy, or its config has no version yet. */
  readonly version: EffectiveVersion | undefined;
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
  const parentOf = new Map(groups.map((group) => [group.id, group.parentId]));
  const configOf = new Map(
    proxies.map((proxy) => {
      const placement = {
        proxyId: proxy.id,
        labels: proxy.labels,
        groups: [proxy.groupId, ...groupAncestors(proxy.groupId, parentOf)],
      };
      return [proxy.id, chooseBinding(placement, bindings)?.configId ?? undefined];
    }),
  );
  const versions = await latestVersions(
    manager,
    [...new Set(configOf.values())].flatMap((id) => id ?? []),
  );
  return proxies.map((proxy) => {
    const configId = configOf.get(proxy.id);
    return {
      tenantId: proxy.tenantId,
      nodeId: proxy.nodeId,
      version: configId === undefined ? undefined : versions.get(configId),
    };
  });
}

/** The newest version of each config, by config id; configs without a version are left out. */
async function latestVersions(
  manager: EntityManager,
  configIds: readonly string[],
): Promise<Map<string, EffectiveVersion>> {
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
