import {
  ConfigBindingEntity,
  ConfigTemplateEntity,
  ConfigVersionEntity,
  ProxyEntity,
  ProxyGroupEntity,
  TenantEntity,
  withSystem,
} from '@envoy-fleet/db';
import {
  type ConfigDocument,
  isXdsResourceType,
  type JsonObject,
  type Labels,
  type XdsResourceType,
} from '@envoy-fleet/domain';
import { type DataSource, type EntityManager, In } from 'typeorm';
import {
  chooseBindings,
  type ProxyResolution,
  resolveConfigs,
  type StoredTemplate,
  type StoredVersion,
} from './config-resolution';
import { loadConfigReleases, releasedVersion } from './config-release';
import { bindListenerPorts } from './listener-ports';
import { type ResourceEntry } from './config-translation';

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
  /**
   * The resources of a stored version, each with a content key (its section and the sha256 of its body,
   * computed by PostgreSQL), and the bodies of those whose key is not among `knownKeys`.
   */
  versionResources(versionId: string, knownKeys: readonly string[]): Promise<VersionResources>;
  /** The bodies among a stored version's resources that have these content keys. */
  versionBodies(versionId: string, contentKeys: readonly string[]): Promise<Map<string, JsonObject>>;
}

export interface VersionResources {
  readonly entries: ResourceEntry[];
  /** Bodies by content key. */
  readonly bodies: Map<string, JsonObject>;
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
        versionResources: (versionId, knownKeys) => versionResources(manager, versionId, knownKeys),
        versionBodies: (versionId, contentKeys) => versionBodies(manager, versionId, contentKeys),
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
    tenantProxies(manager, tenantId),
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
    loadConfigReleases(manager, [...new Set(winners.flatMap((binding) => binding.configId ?? []))]),
    templatesById(manager, [...new Set(winners.flatMap((binding) => binding.templateId ?? []))]),
  ]);
  const versionOf = (configId: string, proxyId: string): StoredVersion | undefined => {
    const release = releases.get(configId);
    return release === undefined ? undefined : releasedVersion(release, proxyId);
  };
  // Only a version inherited with overrides is read whole here; the builder reads the others' resources
  // when it publishes them, and only those whose content it has not translated yet.
  const inheritsWithOverrides = winners.some(
    (binding) => binding.mode === 'inherit' && (binding.overrides ?? []).length > 0,
  );
  const documents = inheritsWithOverrides
    ? await versionDocuments(
        manager,
        proxies.flatMap((proxy) => {
          const configId = chosen.get(proxy.id)?.configId;
          return (configId && versionOf(configId, proxy.id)?.id) || [];
        }),
      )
    : new Map<string, ConfigDocument>();
  const resolutions = resolveConfigs(proxies, chosen, {
    versionOf,
    documentOf: (versionId) => documents.get(versionId),
    templates,
  });
  const bound = await bindListenerPorts(manager, resolutions);
  return proxies.map((proxy) => ({
    tenantId: proxy.tenantId,
    nodeId: proxy.nodeId,
    resolution: bound.get(proxy.id) ?? { status: 'unbound' },
  }));
}

interface TenantProxy {
  readonly id: string;
  readonly tenantId: string;
  readonly nodeId: string;
  readonly groupId: string;
  readonly labels: Labels;
}

/** The columns resolution reads, without hydrating entities (a tenant may hold thousands of proxies). */
async function tenantProxies(manager: EntityManager, tenantId: string): Promise<TenantProxy[]> {
  const rows = await manager.query<
    { id: string; tenant_id: string; node_id: string; group_id: string; labels: Labels }[]
  >('SELECT id, tenant_id, node_id, group_id, labels FROM proxies WHERE tenant_id = $1', [tenantId]);
  return rows.map((row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    nodeId: row.node_id,
    groupId: row.group_id,
    labels: row.labels,
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

/** A stored version's resources hashed where they are, so unchanged bodies never leave PostgreSQL. */
const VERSION_RESOURCES = `
  SELECT s.section, r.position, r.resource->>'name' AS name,
         encode(sha256(convert_to((r.resource->'body')::text, 'UTF8')), 'hex') AS digest,
         r.resource->'body' AS body
  FROM config_versions v
  CROSS JOIN LATERAL jsonb_each(v.document->'resources') AS s(section, list)
  CROSS JOIN LATERAL jsonb_array_elements(s.list) WITH ORDINALITY AS r(resource, position)
  WHERE v.id = $1`;

/** The content key of a body stored in a version: its section and the sha256 of its jsonb text. */
function storedContentKey(section: XdsResourceType, digest: string): string {
  return `${section}:jsonb:${digest}`;
}

/** One read of the version's document: every entry, and the bodies PostgreSQL was not told are known. */
async function versionResources(
  manager: EntityManager,
  versionId: string,
  knownKeys: readonly string[],
): Promise<VersionResources> {
  const rows = await manager.query<
    { section: string; name: string; digest: string; body: JsonObject | null }[]
  >(
    // The fences (OFFSET 0) hash each body once and drop known bodies before the sort.
    `SELECT section, name, digest, body FROM (
       SELECT section, position, name, digest,
              CASE WHEN section || ':jsonb:' || digest = ANY($2::text[]) THEN NULL ELSE body END AS body
       FROM (${VERSION_RESOURCES} OFFSET 0) AS hashed OFFSET 0) AS resources
     ORDER BY section, position`,
    [versionId, knownKeys],
  );
  const entries: ResourceEntry[] = [];
  const bodies = new Map<string, JsonObject>();
  for (const { section, name, digest, body } of rows) {
    if (!isXdsResourceType(section)) continue;
    const contentKey = storedContentKey(section, digest);
    entries.push({ section, name, contentKey });
    if (body !== null) bodies.set(contentKey, body);
  }
  return { entries, bodies };
}

async function versionBodies(
  manager: EntityManager,
  versionId: string,
  contentKeys: readonly string[],
): Promise<Map<string, JsonObject>> {
  const rows = await manager.query<{ section: string; digest: string; body: JsonObject }[]>(
    `SELECT DISTINCT ON (section, digest) section, digest, body FROM (${VERSION_RESOURCES}) AS resources
     WHERE section || ':jsonb:' || digest = ANY($2::text[])`,
    [versionId, contentKeys],
  );
  return new Map(
    rows.flatMap(({ section, digest, body }) =>
      isXdsResourceType(section) ? [[storedContentKey(section, digest), body] as const] : [],
    ),
  );
}

async function versionDocuments(
  manager: EntityManager,
  versionIds: readonly string[],
): Promise<Map<string, ConfigDocument>> {
  if (versionIds.length === 0) return new Map();
  const versions = await manager.find(ConfigVersionEntity, {
    select: { id: true, document: true },
    where: { id: In([...new Set(versionIds)]) },
  });
  return new Map(versions.map((version) => [version.id, version.document as ConfigDocument]));
}

async function templatesById(
  manager: EntityManager,
  templateIds: readonly string[],
): Promise<Map<string, StoredTemplate>> {
  if (templateIds.length === 0) return new Map();
  const templates = await manager.findBy(ConfigTemplateEntity, { id: In(templateIds) });
  return new Map(templates.map((template) => [template.id, template]));
}
