import {
  ConfigBindingEntity,
  ConfigEntity,
  ConfigVersionEntity,
  ProxyEntity,
  ProxyGroupEntity,
  withSystem,
} from '@envoy-fleet/db';
import { type ConfigDocument } from '@envoy-fleet/domain';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { chooseBinding, groupLineage } from './binding-precedence';

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

/**
 * Reads proxies, groups and bindings across tenants (as the system role, docs/adr/0002) in one
 * transaction, so every proxy is resolved against the same state of its tenant.
 */
export class EffectiveConfigRepository {
  constructor(private readonly systemDataSource: DataSource) {}

  /** Every proxy of the tenant, or of every tenant when `tenantId` is undefined, with its effective version. */
  resolve(tenantId?: string): Promise<ProxyConfigTarget[]> {
    return withSystem(this.systemDataSource, { actor: ACTOR }, async (manager) => {
      const scope = tenantId === undefined ? {} : { tenantId };
      const [proxies, groups, bindings] = await Promise.all([
        manager.findBy(ProxyEntity, scope),
        manager.find(ProxyGroupEntity, { select: { id: true, parentId: true }, where: scope }),
        manager.findBy(ConfigBindingEntity, scope),
      ]);
      const parentOf = new Map(groups.map((group) => [group.id, group.parentId]));
      const configOf = new Map(
        proxies.map((proxy) => {
          const placement = {
            proxyId: proxy.id,
            labels: proxy.labels,
            groups: groupLineage(proxy.groupId, parentOf),
          };
          const sameTenant = bindings.filter((binding) => binding.tenantId === proxy.tenantId);
          return [proxy.id, chooseBinding(placement, sameTenant)?.configId ?? undefined];
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
    });
  }
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
