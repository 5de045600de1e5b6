import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  createEvent,
  DomainError,
  isEmptyLabelSelector,
  type LabelSelector,
  validateLabelSelector,
  type ValidationIssue,
} from '@envoy-fleet/domain';
import {
  appendEvents,
  ConfigBindingEntity,
  ConfigEntity,
  ConfigTemplateEntity,
  ProxyEntity,
  ProxyGroupEntity,
  updateVersioned,
} from '@envoy-fleet/db';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { Principal } from '../../auth/principal';
import { listPage } from '../../database/list-page';
import { UnitOfWork } from '../../database/unit-of-work.service';
import { deleteVersioned } from '../../database/versioned-delete';
import type { ListQuery, Page } from '../../http/list-query';
import { mergePatchObject } from '../../http/merge-patch';
import { parseRequest } from '../../http/zod-request';
import {
  CONFIG_BINDING_LIST,
  configBindingColumns,
  type ConfigBindingColumns,
  type ConfigBindingView,
  configBindingView,
  type ConfigBindingWrite,
  configBindingWriteOf,
  configBindingWriteSchema,
} from './config-binding.dto';

type Change = 'created' | 'updated' | 'deleted';

/**
 * Config bindings: which config (or template, or parent proxy) a proxy, a group or a label selector
 * gets. Rows are stored and checked here; fleet-manager resolves them into snapshots.
 */
@Injectable()
export class ConfigBindingService {
  constructor(private readonly unitOfWork: UnitOfWork) {}

  list(principal: Principal, query: ListQuery): Promise<Page<ConfigBindingView>> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const page = await listPage(
        manager.getRepository(ConfigBindingEntity).createQueryBuilder('binding'),
        CONFIG_BINDING_LIST,
        query,
      );
      return { items: page.items.map(configBindingView), nextCursor: page.nextCursor };
    });
  }

  get(principal: Principal, id: string): Promise<ConfigBindingView> {
    return this.unitOfWork.forTenant(principal, async (manager) =>
      configBindingView(await findBinding(manager, id)),
    );
  }

  create(principal: Principal, write: ConfigBindingWrite): Promise<ConfigBindingView> {
    const columns = configBindingColumns(write);
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await assertReferences(manager, columns);
      const binding = await manager.save(
        manager.create(ConfigBindingEntity, { ...columns, tenantId: principal.tenantId }),
      );
      await appendEvents(manager, [bindingChanged(principal, binding, 'created')]);
      return configBindingView(binding);
    });
  }

  replace(
    principal: Principal,
    id: string,
    expectedVersion: number,
    write: ConfigBindingWrite,
  ): Promise<ConfigBindingView> {
    const columns = configBindingColumns(write);
    return this.unitOfWork.forTenant(principal, async (manager) => {
      await findBinding(manager, id);
      await assertReferences(manager, columns);
      // JSON columns make TypeORM's deep-partial type recurse without end; the columns are the entity's own.
      const changes = { ...columns } as QueryDeepPartialEntity<ConfigBindingEntity>;
      const binding = await updateVersioned(manager, ConfigBindingEntity, id, expectedVersion, changes);
      await appendEvents(manager, [bindingChanged(principal, binding, 'updated')]);
      return configBindingView(binding);
    });
  }

  async patch(
    principal: Principal,
    id: string,
    expectedVersion: number,
    patch: unknown,
  ): Promise<ConfigBindingView> {
    const current = await this.get(principal, id);
    const merged = mergePatchObject(configBindingWriteOf(current), patch);
    return this.replace(
      principal,
      id,
      expectedVersion,
      parseRequest(configBindingWriteSchema, merged, 'body'),
    );
  }

  delete(principal: Principal, id: string, expectedVersion: number): Promise<void> {
    return this.unitOfWork.forTenant(principal, async (manager) => {
      const binding = await findBinding(manager, id);
      await deleteVersioned(manager, ConfigBindingEntity, id, expectedVersion);
      await appendEvents(manager, [bindingChanged(principal, binding, 'deleted')]);
    });
  }
}

async function findBinding(manager: EntityManager, id: string): Promise<ConfigBindingEntity> {
  const binding = await manager.findOneBy(ConfigBindingEntity, { id });
  if (binding === null) throw DomainError.notFound('config binding', id);
  return binding;
}

/**
 * Every row the binding names exists in the caller's tenant (RLS hides the others, so another tenant's
 * id reads as missing), the selector is well formed, and an inheritance names another proxy.
 */
export async function assertReferences(manager: EntityManager, columns: ConfigBindingColumns): Promise<void> {
  const issues: ValidationIssue[] = [];
  const exists = async <E extends ObjectLiteral>(
    entity: EntityTarget<E>,
    id: string | null,
    path: string,
    what: string,
  ): Promise<void> => {
    if (id === null) return;
    if (!(await manager.existsBy(entity, { id } as never))) {
      issues.push({ path, message: `refers to a ${what} that does not exist` });
    }
  };
  await exists(ProxyEntity, columns.proxyId, 'proxyId', 'proxy');
  await exists(ProxyGroupEntity, columns.groupId, 'groupId', 'proxy group');
  await exists(ConfigEntity, columns.configId, 'configId', 'config');
  await exists(ConfigTemplateEntity, columns.templateId, 'templateId', 'config template');
  await exists(ProxyEntity, columns.parentProxyId, 'parentProxyId', 'proxy');
  if (columns.labelSelector !== null) issues.push(...selectorIssues(columns.labelSelector, 'selector'));
  if (columns.parentProxyId !== null && columns.parentProxyId === columns.proxyId) {
    issues.push({ path: 'parentProxyId', message: 'a proxy cannot inherit from itself' });
  }
  DomainError.assertValid('config binding', issues);
}

/** A binding's selector must select on something: an empty one would reach every proxy of the tenant. */
function selectorIssues(selector: LabelSelector, path: string): ValidationIssue[] {
  const issues = validateLabelSelector(selector, path);
  return isEmptyLabelSelector(selector)
    ? [...issues, { path, message: 'must select on at least one label' }]
    : issues;
}

export function bindingChanged(principal: Principal, binding: ConfigBindingEntity, change: Change) {
  return createEvent('binding.changed', {
    id: randomUUID(),
    tenantId: principal.tenantId,
    aggregateId: binding.id,
    payload: { bindingId: binding.id, configId: binding.configId, change },
  });
}
