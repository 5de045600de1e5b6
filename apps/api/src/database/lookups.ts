import { DomainError } from '@envoy-fleet/domain';
import { ConfigEntity, ConfigVersionEntity, ProxyEntity } from '@envoy-fleet/db';
import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { uuidParam } from '../http/request-schemas';

/**
 * The rows routes look up by their path keys, each NOT_FOUND (404) when it does not exist or belongs
 * to another tenant (row-level security makes the two the same).
 */
export async function findProxy(manager: EntityManager, nodeId: string): Promise<ProxyEntity> {
  const proxy = await manager.findOneBy(ProxyEntity, { nodeId });
  if (proxy === null) throw DomainError.notFound('proxy', nodeId);
  return proxy;
}

/** By the proxy's id or, failing that, its Envoy node id (the gRPC API names proxies either way). */
export async function findProxyByIdOrNodeId(
  manager: EntityManager,
  idOrNodeId: string,
): Promise<ProxyEntity> {
  const byId = uuidParam.safeParse(idOrNodeId).success
    ? await manager.findOneBy(ProxyEntity, { id: idOrNodeId })
    : null;
  return byId ?? findProxy(manager, idOrNodeId);
}

export async function findConfig(manager: EntityManager, id: string): Promise<ConfigEntity> {
  const config = await manager.findOneBy(ConfigEntity, { id });
  if (config === null) throw DomainError.notFound('config', id);
  return config;
}

export async function findConfigVersion(
  manager: EntityManager,
  config: ConfigEntity,
  number: number,
): Promise<ConfigVersionEntity> {
  const version = await manager.findOneBy(ConfigVersionEntity, { configId: config.id, number });
  if (version === null) throw DomainError.notFound(`config ${config.id} version`, String(number));
  return version;
}

export interface ConfigWithLatestVersion {
  readonly config: ConfigEntity;
  readonly version: ConfigVersionEntity;
}

/** The query of a config with its newest version (`builder` over configs, aliased `config`). */
export function configWithLatestVersionQuery(
  builder: SelectQueryBuilder<ConfigEntity>,
  id: string,
): SelectQueryBuilder<ConfigEntity> {
  return builder
    .innerJoinAndMapOne(
      'config.latest',
      ConfigVersionEntity,
      'version',
      'version.config_id = config.id AND version.number = config.latest_version',
    )
    .where('config.id = :id', { id });
}

/** What `configWithLatestVersionQuery` found: NOT_FOUND when nothing. */
export function configWithLatestVersionOf(
  found: readonly ConfigEntity[],
  id: string,
): ConfigWithLatestVersion {
  const config = found[0] as (ConfigEntity & { latest: ConfigVersionEntity }) | undefined;
  if (config === undefined) throw DomainError.notFound('config', id);
  return { config, version: config.latest };
}

/** A config with its newest version, in one query. */
export async function findConfigWithLatestVersion(
  manager: EntityManager,
  id: string,
): Promise<ConfigWithLatestVersion> {
  const query = configWithLatestVersionQuery(manager.createQueryBuilder(ConfigEntity, 'config'), id);
  return configWithLatestVersionOf(await query.getMany(), id);
}
