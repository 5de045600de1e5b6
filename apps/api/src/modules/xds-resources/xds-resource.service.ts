import { Inject, Injectable } from '@nestjs/common';
import { type ConfigDocument, DomainError, isDomainError, type JsonObject } from '@envoy-fleet/domain';
import { type ClusterEntity, ConfigEntity, ConfigVersionEntity } from '@envoy-fleet/db';
import { parseResource } from '@envoy-fleet/xds';
import type { EntityManager } from 'typeorm';
import { API_SETTINGS } from '../../api.tokens';
import type { ApiSettings } from '../../api-settings';
import type { Principal } from '../../auth/principal';
import { applyLabelSelector, listPage } from '../../database/list-page';
import { requestScope } from '../../database/request-scope';
import { UnitOfWork } from '../../database/unit-of-work.service';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import type { ConfigChangeView } from '../configs/config.dto';
import { ConfigService } from '../configs/config.service';
import { toProxyConfig } from '../configs/proxy-config';
import { maskDocument, openDocument, SecretCipher } from '../configs/secret-cipher';
import { issuesOfWrittenResource } from './resource-issues';
import type { XdsResourceKind } from './xds-resource-kinds';
import {
  XDS_RESOURCE_LIST,
  type XdsResourceChangeView,
  type XdsResourceRemovalView,
  type XdsResourceView,
  xdsResourceWriteSchema,
} from './xds-resource.dto';

/** Every resource table has this shape. */
type ResourceRow = ClusterEntity;

/** What an edit does to one section of the config: its new resources, and where the written one sits. */
interface SectionEdit {
  readonly resources: JsonObject[];
  /** Index of the created or replaced resource; null when it was removed. */
  readonly index: number | null;
}

/**
 * Listeners, route configurations, clusters, cluster load assignments and secrets as first-class
 * resources (docs/adr/0003-xds-resources-as-config-members.md). Each belongs to one config and is
 * named (config, type, name). Reads come from the working-set tables, which hold each config's
 * newest version. A write edits the config's newest document and stores it through ConfigService as
 * a new immutable version: same validation, content hash, author, message, audit and outbox events,
 * so fleet-manager delivers it like any config change.
 */
@Injectable()
export class XdsResourceService {
  private readonly cipher: SecretCipher;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly configs: ConfigService,
    @Inject(API_SETTINGS) settings: ApiSettings,
  ) {
    this.cipher = new SecretCipher(settings.secretEncryptionKey);
  }

  list(principal: Principal, kind: XdsResourceKind, query: ListQuery): Promise<Page<XdsResourceView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const builder = rowsOf(manager, kind);
      if (query.labels !== undefined) applyLabelSelector(builder, 'config', query.labels);
      const page = await listPage(builder, XDS_RESOURCE_LIST, { ...query, labels: undefined });
      return { items: page.items.map((row) => rowView(kind, row)), nextCursor: page.nextCursor };
    });
  }

  get(principal: Principal, kind: XdsResourceKind, configId: string, name: string): Promise<XdsResourceView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const row = await rowsOf(manager, kind)
        .where('resource.config_id = :configId AND resource.name = :name', { configId, name })
        .getOne();
      if (row !== null) return rowView(kind, row);
      if (!(await manager.existsBy(ConfigEntity, { id: configId })))
        throw DomainError.notFound('config', configId);
      throw missing(kind, configId, name);
    });
  }

  async create(
    principal: Principal,
    kind: XdsResourceKind,
    configId: string,
    resource: JsonObject,
    message: string,
  ): Promise<XdsResourceChangeView> {
    const name = nameOf(kind, resource);
    const { change, index } = await this.edit(
      principal,
      kind,
      configId,
      undefined,
      message,
      (current, names) => {
        if (name !== null && names.includes(name)) {
          throw DomainError.alreadyExists(kind.type, `${name} in config ${configId}`);
        }
        return { resources: [...current, resource], index: current.length };
      },
    );
    return changeView(kind, change, index);
  }

  async replace(
    principal: Principal,
    kind: XdsResourceKind,
    configId: string,
    name: string,
    expectedVersion: number,
    resource: JsonObject,
    message: string,
  ): Promise<XdsResourceChangeView> {
    const { change, index } = await this.edit(
      principal,
      kind,
      configId,
      expectedVersion,
      message,
      (current, names) => replaceAt(kind, configId, name, current, names, resource),
    );
    return changeView(kind, change, index);
  }

  /** RFC 7396 over `{resource}` as stored, secrets in plain, so what the patch leaves out stays as it is. */
  async patch(
    principal: Principal,
    kind: XdsResourceKind,
    configId: string,
    name: string,
    expectedVersion: number,
    patch: unknown,
    message: string,
  ): Promise<XdsResourceChangeView> {
    const { change, index } = await this.edit(
      principal,
      kind,
      configId,
      expectedVersion,
      message,
      (current, names) => {
        const stored = current[indexOf(kind, configId, name, names)] ?? {};
        const merged = parseRequest(
          xdsResourceWriteSchema,
          mergePatchObject({ resource: stored }, patch),
          'body',
        );
        return replaceAt(kind, configId, name, current, names, merged.resource);
      },
    );
    return changeView(kind, change, index);
  }

  async remove(
    principal: Principal,
    kind: XdsResourceKind,
    configId: string,
    name: string,
    expectedVersion: number,
    message: string,
  ): Promise<XdsResourceRemovalView> {
    const { change } = await this.edit(
      principal,
      kind,
      configId,
      expectedVersion,
      message,
      (current, names) => {
        const at = indexOf(kind, configId, name, names);
        return { resources: current.filter((_resource, index) => index !== at), index: null };
      },
    );
    return {
      configId: change.id,
      configVersion: change.latestVersion,
      version: change.version,
      change: change.change,
    };
  }

  /**
   * One transaction: the config row locked, its newest document opened (secrets in plain), the section
   * edited, and the result stored as the config's next version by ConfigService (which joins this
   * transaction). `expectedVersion` is the config's ETag; a create names none and takes the locked row's.
   */
  private edit(
    principal: Principal,
    kind: XdsResourceKind,
    configId: string,
    expectedVersion: number | undefined,
    message: string,
    editSection: (current: JsonObject[], names: readonly string[]) => SectionEdit,
  ): Promise<{ change: ConfigChangeView; index: number | null }> {
    return this.unitOfWork.forTenant(principal, (manager) =>
      requestScope.run(
        {
          dryRun: requestScope.getStore()?.dryRun ?? false,
          transaction: { tenantId: principal.tenantId, manager },
        },
        async () => {
          const config = await manager
            .createQueryBuilder(ConfigEntity, 'config')
            .where('config.id = :configId', { configId })
            .setLock('pessimistic_write')
            .getOne();
          if (config === null) throw DomainError.notFound('config', configId);
          if (expectedVersion !== undefined && config.version !== expectedVersion) {
            throw DomainError.staleVersion('config', configId, expectedVersion);
          }
          const newest = await manager.findOneByOrFail(ConfigVersionEntity, {
            configId,
            number: config.latestVersion,
          });
          const document = openDocument(newest.document as ConfigDocument, this.cipher, principal.tenantId);
          const current = toProxyConfig(config, document);
          const names = document.resources[kind.type].map((resource) => resource.name);
          const { resources, index } = editSection(current.spec[kind.section], names);
          const next = { ...current, spec: { ...current.spec, [kind.section]: resources } };
          try {
            const change = await this.configs.replace(principal, configId, config.version, next, message);
            return { change, index };
          } catch (error) {
            throw relocated(error, kind, index);
          }
        },
      ),
    );
  }
}

function rowsOf(manager: EntityManager, kind: XdsResourceKind) {
  return manager
    .getRepository<ResourceRow>(kind.entity)
    .createQueryBuilder('resource')
    .innerJoinAndSelect('resource.config', 'config');
}

function rowView(kind: XdsResourceKind, row: ResourceRow): XdsResourceView {
  const config = row.config;
  if (config === undefined) throw new Error(`${kind.type} ${row.id} was read without its config`);
  const resource =
    kind.type === 'secret'
      ? maskDocument({
          resources: {
            listener: [],
            route_config: [],
            cluster: [],
            endpoint: [],
            secret: [{ name: row.name, labels: row.labels, body: row.body as JsonObject }],
          },
        }).resources.secret[0]?.body
      : (row.body as JsonObject);
  return {
    configId: config.id,
    configName: config.name,
    configLabels: config.labels,
    name: row.name,
    resource: resource ?? {},
    configVersion: config.latestVersion,
    version: config.version,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The written resource as the new version holds it (masked if a secret), with the change made. */
function changeView(
  kind: XdsResourceKind,
  change: ConfigChangeView,
  index: number | null,
): XdsResourceChangeView {
  const resource = index === null ? undefined : change.document.spec[kind.section][index];
  if (resource === undefined)
    throw new Error(`the new version of config ${change.id} lost the written ${kind.type}`);
  const named = resource[kind.nameField] ?? resource['name'];
  return {
    configId: change.id,
    configName: change.name,
    configLabels: change.labels,
    name: typeof named === 'string' ? named : '',
    resource,
    configVersion: change.latestVersion,
    version: change.version,
    updatedAt: change.updatedAt,
    change: change.change,
  };
}

/** The resource's name when it decodes; null leaves the codec's complaint to the version's validation. */
function nameOf(kind: XdsResourceKind, resource: JsonObject): string | null {
  const parsed = parseResource(kind.codecKind, resource);
  return parsed.ok ? parsed.name : null;
}

function indexOf(kind: XdsResourceKind, configId: string, name: string, names: readonly string[]): number {
  const index = names.indexOf(name);
  if (index === -1) throw missing(kind, configId, name);
  return index;
}

/** A full replacement keeps the resource's place; its name is its identity and cannot change. */
function replaceAt(
  kind: XdsResourceKind,
  configId: string,
  name: string,
  current: JsonObject[],
  names: readonly string[],
  resource: JsonObject,
): SectionEdit {
  const index = indexOf(kind, configId, name, names);
  const written = nameOf(kind, resource);
  if (written !== null && written !== name) {
    DomainError.assertValid(`${kind.type} ${name}`, [
      {
        path: `resource.${kind.nameField}`,
        message: `is "${written}" but the resource is "${name}": a name cannot change, create a new ${kind.type} instead`,
      },
    ]);
  }
  return { resources: current.map((each, at) => (at === index ? resource : each)), index };
}

function missing(kind: XdsResourceKind, configId: string, name: string): DomainError {
  return DomainError.notFound(kind.type, `${name} in config ${configId}`);
}

/** A refused version's issues, those about the written resource at its field of the request body. */
function relocated(error: unknown, kind: XdsResourceKind, index: number | null): unknown {
  if (!isDomainError(error) || error.issues.length === 0 || index === null) return error;
  const issues = issuesOfWrittenResource(error.issues, kind.section, index);
  const summary = issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  return new DomainError(error.code, `${kind.type} is invalid: ${summary}`, {
    issues,
    details: error.details,
  });
}
