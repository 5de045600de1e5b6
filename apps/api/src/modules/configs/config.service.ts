import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  type ConfigDocument,
  configDocumentHashInput,
  createEvent,
  DomainError,
  type DomainEvent,
  type ValidationIssue,
  validateLabels,
  XDS_RESOURCE_TYPES,
  type XdsResourceType,
} from '@envoy-fleet/domain';
import {
  appendEvents,
  ClusterEntity,
  ConfigEntity,
  ConfigVersionEntity,
  EndpointEntity,
  ListenerEntity,
  RouteConfigEntity,
  SecretEntity,
  updateVersioned,
} from '@envoy-fleet/db';
import type { EntityManager } from 'typeorm';
import { API_SETTINGS } from '../../api.tokens';
import type { ApiSettings } from '../../api-settings';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import {
  configWithLatestVersionOf,
  configWithLatestVersionQuery,
  findConfig,
  findConfigVersion,
} from '../../database/lookups';
import { assertResourcesWithinQuota, assertWithinQuota } from '../../database/tenant-quota';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import { type ConfigDiff, diffConfigs, patchBetween } from './config-diff';
import {
  CONFIG_LIST,
  CONFIG_VERSION_LIST,
  type ConfigChangeView,
  type ConfigSummaryView,
  configSummaryView,
  type ConfigVersionSummaryView,
  configVersionSummaryView,
  type ConfigVersionView,
  type ConfigView,
  maskedProxyConfig,
  type ValidationReportView,
} from './config.dto';
import { type ProxyConfig, proxyConfigSchema, toProxyConfig } from './proxy-config';
import { decodeResources } from './resource-decoding';
import { openDocument, sealDocument, SecretCipher } from './secret-cipher';
import { validateSemantics } from './semantic-validation';

const RESOURCE_ENTITIES = {
  listener: ListenerEntity,
  route_config: RouteConfigEntity,
  cluster: ClusterEntity,
  endpoint: EndpointEntity,
  secret: SecretEntity,
} as const satisfies Record<XdsResourceType, unknown>;

/** A document that passed every check, ready to become a version. */
interface AcceptedConfig {
  readonly config: ProxyConfig;
  /** Plain: what the content hash is computed over. */
  readonly document: ConfigDocument;
}

/**
 * Configs and their immutable versions. Every create, update and rollback makes a version (content
 * hash, author, message) in one transaction with the config row, the working-set resource tables,
 * the outbox events and (by trigger) the audit rows.
 */
@Injectable()
export class ConfigService {
  private readonly cipher: SecretCipher;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    @Inject(API_SETTINGS) settings: ApiSettings,
  ) {
    this.cipher = new SecretCipher(settings.secretEncryptionKey);
  }

  async list(principal: Principal, query: ListQuery): Promise<Page<ConfigSummaryView>> {
    const page = await listPage(
      this.unitOfWork.selectBuilder(principal, ConfigEntity, 'config'),
      CONFIG_LIST,
      query,
      (builder) => this.unitOfWork.select(principal, builder),
    );
    return { items: page.items.map(configSummaryView), nextCursor: page.nextCursor };
  }

  async get(principal: Principal, id: string): Promise<ConfigView> {
    const query = configWithLatestVersionQuery(
      this.unitOfWork.selectBuilder(principal, ConfigEntity, 'config'),
      id,
    );
    const { config, version } = configWithLatestVersionOf(await this.unitOfWork.select(principal, query), id);
    return configView(config, version);
  }

  create(principal: Principal, config: ProxyConfig, message: string): Promise<ConfigChangeView> {
    const accepted = this.accept(config);
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const created = await manager.save(
        manager.create(ConfigEntity, {
          tenantId: principal.tenantId,
          name: config.metadata.name,
          description: config.metadata.description,
          labels: config.metadata.labels,
          latestVersion: 1,
        }),
      );
      const version = await this.storeVersion(manager, principal, created, accepted.document, message, {
        replacing: false,
      });
      await appendEvents(manager, [
        configEvent(principal, created, 'config.created'),
        versionEvent(principal, version),
      ]);
      await assertWithinQuota(manager, principal.tenantId, 'maxConfigs');
      return { ...configView(created, version), change: { fromVersion: null, toVersion: 1, patch: [] } };
    });
  }

  replace(
    principal: Principal,
    id: string,
    expectedVersion: number,
    config: ProxyConfig,
    message: string,
  ): Promise<ConfigChangeView> {
    const accepted = this.accept(config);
    return this.unitOfWork.forTenant(principal, (manager) =>
      this.newVersion(manager, principal, id, expectedVersion, accepted, message),
    );
  }

  /** RFC 7396 over the current document with its secrets in plain, so untouched secrets stay as they are. */
  async patch(
    principal: Principal,
    id: string,
    expectedVersion: number,
    patch: unknown,
    message: string,
  ): Promise<ConfigChangeView> {
    const current = await this.unitOfWork.forTenant(principal, async (manager) => {
      const config = await findConfig(manager, id);
      const version = await findConfigVersion(manager, config, config.latestVersion);
      return toProxyConfig(
        config,
        openDocument(version.document as ConfigDocument, this.cipher, principal.tenantId),
      );
    });
    const merged = parseRequest(proxyConfigSchema, mergePatchObject(current, patch), 'body');
    return this.replace(principal, id, expectedVersion, merged, message);
  }

  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const config = await findConfig(manager, id);
      await deleteVersioned(manager, ConfigEntity, id, expectedVersion);
      await appendEvents(manager, [configEvent(principal, config, 'config.deleted')]);
    });
  }

  /** Checks a candidate document for the config (or, without one, its newest version) and stores nothing. */
  async validate(
    principal: Principal,
    id: string,
    candidate: ProxyConfig | undefined,
  ): Promise<ValidationReportView> {
    const config = await this.unitOfWork.forTenant(principal, async (manager) => {
      const found = await findConfig(manager, id);
      if (candidate !== undefined) return candidate;
      const version = await findConfigVersion(manager, found, found.latestVersion);
      return toProxyConfig(
        found,
        openDocument(version.document as ConfigDocument, this.cipher, principal.tenantId),
      );
    });
    return this.validateDraft(config);
  }

  /** Checks a document that belongs to no stored config (a draft); stores nothing. */
  validateDraft(candidate: ProxyConfig): ValidationReportView {
    const { issues } = this.issuesOf(candidate);
    return { valid: issues.length === 0, issues };
  }

  listVersions(principal: Principal, id: string, query: ListQuery): Promise<Page<ConfigVersionSummaryView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await findConfig(manager, id);
      const builder = manager
        .getRepository(ConfigVersionEntity)
        .createQueryBuilder('version')
        .select([
          'version.id',
          'version.configId',
          'version.number',
          'version.contentHash',
          'version.author',
          'version.message',
          'version.createdAt',
        ])
        .where('version.config_id = :id', { id });
      const page = await listPage(builder, CONFIG_VERSION_LIST, query);
      return { items: page.items.map(configVersionSummaryView), nextCursor: page.nextCursor };
    });
  }

  getVersion(principal: Principal, id: string, number: number): Promise<ConfigVersionView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const config = await findConfig(manager, id);
      const version = await findConfigVersion(manager, config, number);
      return {
        ...configVersionSummaryView(version),
        document: maskedProxyConfig(config, version.document as ConfigDocument),
      };
    });
  }

  diff(principal: Principal, id: string, from: number, to: number): Promise<ConfigDiff> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const config = await findConfig(manager, id);
      const [older, newer] = await Promise.all([
        findConfigVersion(manager, config, from),
        findConfigVersion(manager, config, to),
      ]);
      return diffConfigs(
        {
          label: `${config.name} version ${from}`,
          config: maskedProxyConfig(config, older.document as ConfigDocument),
        },
        {
          label: `${config.name} version ${to}`,
          config: maskedProxyConfig(config, newer.document as ConfigDocument),
        },
      );
    });
  }

  /** A new version equal to an old one; history is never rewritten. */
  rollback(
    principal: Principal,
    id: string,
    expectedVersion: number,
    number: number,
    message: string,
  ): Promise<ConfigChangeView> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const config = await findConfig(manager, id);
      const target = await findConfigVersion(manager, config, number);
      const document = openDocument(target.document as ConfigDocument, this.cipher, principal.tenantId);
      return this.newVersion(
        manager,
        principal,
        id,
        expectedVersion,
        { config: toProxyConfig(config, document), document },
        message === '' ? `rollback to version ${number}` : message,
      );
    });
  }

  private async newVersion(
    manager: EntityManager,
    principal: Principal,
    id: string,
    expectedVersion: number,
    accepted: AcceptedConfig,
    message: string,
  ): Promise<ConfigChangeView> {
    const current = await findConfig(manager, id);
    const previous = await findConfigVersion(manager, current, current.latestVersion);
    const { metadata } = accepted.config;
    const updated = await updateVersioned(manager, ConfigEntity, id, expectedVersion, {
      name: metadata.name,
      description: metadata.description,
      labels: metadata.labels,
      latestVersion: current.latestVersion + 1,
    });
    const version = await this.storeVersion(manager, principal, updated, accepted.document, message, {
      replacing: true,
    });
    await appendEvents(manager, [
      configEvent(principal, updated, 'config.updated'),
      versionEvent(principal, version),
    ]);
    const patch = patchBetween(
      maskedProxyConfig(current, previous.document as ConfigDocument),
      maskedProxyConfig(updated, version.document as ConfigDocument),
    );
    return {
      ...configView(updated, version),
      change: { fromVersion: previous.number, toVersion: version.number, patch },
    };
  }

  /**
   * The version row, and the working set of its resources; `replacing` an earlier version's working
   * set (a new config has none to delete).
   */
  private async storeVersion(
    manager: EntityManager,
    principal: Principal,
    config: ConfigEntity,
    document: ConfigDocument,
    message: string,
    { replacing }: { readonly replacing: boolean },
  ): Promise<ConfigVersionEntity> {
    await assertResourcesWithinQuota(
      manager,
      principal.tenantId,
      XDS_RESOURCE_TYPES.reduce((sum, type) => sum + document.resources[type].length, 0),
    );
    const sealed = sealDocument(document, this.cipher, principal.tenantId);
    const version = await manager.save(
      manager.create(ConfigVersionEntity, {
        tenantId: principal.tenantId,
        configId: config.id,
        number: config.latestVersion,
        contentHash: createHash('sha256').update(configDocumentHashInput(document)).digest('hex'),
        document: sealed,
        author: principal.actor,
        message,
      }),
    );
    for (const type of XDS_RESOURCE_TYPES) {
      const entity = RESOURCE_ENTITIES[type];
      if (replacing) await manager.delete(entity, { configId: config.id });
      const rows = sealed.resources[type].map((resource) => ({
        tenantId: principal.tenantId,
        configId: config.id,
        name: resource.name,
        labels: resource.labels,
        body: resource.body,
      }));
      if (rows.length > 0) await manager.insert(entity, rows);
    }
    return version;
  }

  /** Schema, then (when every resource decoded) semantics; 422 with every issue found. */
  private accept(config: ProxyConfig): AcceptedConfig {
    const { document, issues } = this.issuesOf(config);
    DomainError.assertValid(`config ${config.metadata.name}`, issues);
    return { config, document };
  }

  private issuesOf(config: ProxyConfig): { document: ConfigDocument; issues: ValidationIssue[] } {
    const decoded = decodeResources(config);
    const issues = [...validateLabels(config.metadata.labels, 'metadata.labels'), ...decoded.issues];
    if (decoded.issues.length === 0) issues.push(...validateSemantics(decoded.document));
    if (config.spec.secrets.length > 0 && !this.cipher.available) {
      issues.push({
        path: 'spec.secrets',
        message: 'secrets cannot be stored: SECRET_ENCRYPTION_KEY is not set on the api',
      });
    }
    return { document: decoded.document, issues };
  }
}

function configView(config: ConfigEntity, version: ConfigVersionEntity): ConfigView {
  return {
    ...configSummaryView(config),
    contentHash: version.contentHash,
    document: maskedProxyConfig(config, version.document as ConfigDocument),
  };
}

function configEvent(
  principal: Principal,
  config: ConfigEntity,
  type: 'config.created' | 'config.updated' | 'config.deleted',
): DomainEvent {
  return createEvent(type, {
    id: randomUUID(),
    tenantId: principal.tenantId,
    aggregateId: config.id,
    payload: { configId: config.id, name: config.name },
  });
}

function versionEvent(principal: Principal, version: ConfigVersionEntity): DomainEvent {
  return createEvent('config.version.created', {
    id: randomUUID(),
    tenantId: principal.tenantId,
    aggregateId: version.configId,
    payload: {
      configId: version.configId,
      versionId: version.id,
      version: version.number,
      contentHash: version.contentHash,
    },
  });
}
